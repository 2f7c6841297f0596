// The request log on its way to the store: each worker adds its answered requests to a buffer of
// its own (a lock only that worker and the drain take), and the fleet service drains them all
// into its batch about once a second, off the request path. A worker's rows are fixed-size
// records in two reused sets (the drain takes one while the worker fills the other), so adding
// one allocates nothing once warm; long fields are cut to their record's size. Thread-safe.
#pragma once

#include "core/clock.h"
#include "server/access_log.h"
#include "store/records.h"

#include <array>
#include <atomic>
#include <mutex>
#include <string_view>
#include <vector>

namespace fleetgate {

class RequestLog {
 public:
  explicit RequestLog(const Clock& clock) : clock_(clock) {}

  // On worker `worker`'s thread, once the request is answered.
  void add(unsigned worker, const AccessRecord& r);
  // Everything added since the last drain, oldest first per worker (one drain at a time).
  std::vector<RequestRow> drain();
  // Rows dropped because the store fell behind (more than kMaxBuffered waiting on a worker).
  std::uint64_t dropped() const { return dropped_.load(std::memory_order_relaxed); }

  static constexpr std::size_t kMaxBuffered = 100'000;
  static constexpr std::size_t kReserved = 1024;  // rows per set, made at a worker's first

  // A text field of a record: at most N bytes, cut at a UTF-8 boundary.
  template <std::size_t N>
  struct Text {
    std::array<char, N> bytes;
    std::uint16_t size = 0;
    void set(std::string_view s);
    std::string_view view() const { return {bytes.data(), size}; }
  };
  struct Record {
    std::int64_t at_ms = 0;
    Text<24> request_id;
    Text<48> client;
    Text<12> dialect;
    Text<8> method;
    Text<96> path;
    Text<96> model;
    Text<64> route;
    Text<64> deployment;
    Text<160> error;
    int status = 0;
    int attempts = 0;
    double latency_ms = 0;
    double first_byte_ms = -1;
    std::int64_t prompt_tokens = 0;
    std::int64_t completion_tokens = 0;
  };
  static void fill(Record& rec, const AccessRecord& r, Clock::Steady::time_point now,
                   std::int64_t now_wall_ms);
  static RequestRow row_of(const Record& rec);

 private:
  struct Buffer {
    std::mutex mutex;
    std::array<std::vector<Record>, 2> sets;  // reused: only the first count[i] are live
    std::array<std::size_t, 2> count{};
    int active = 0;
  };
  const Clock& clock_;
  std::array<Buffer, 64> buffers_;  // by worker index, modulo
  std::atomic<std::uint64_t> dropped_{0};
};

}  // namespace fleetgate
