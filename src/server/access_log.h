// One JSON line per request. Each worker formats lines into its own buffer and writes them with
// one write() per turn of its event loop, so a busy worker batches many lines per syscall and an
// idle one writes each line at once. No logging thread, no locks on the request path.
#pragma once

#include "core/clock.h"
#include "openai/dialect.h"
#include "openai/usage.h"

#include <boost/asio/any_io_executor.hpp>

#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

namespace fleetgate {

struct AccessRecord {
  std::string_view request_id;
  std::string_view method;
  std::string_view path;
  std::string_view client;      // the client's address
  std::string model;            // as the client asked (owned: the request's fields die first)
  std::string_view deployment;  // the deployment that served it, if any
  int deployment_index = -1;
  int status = 0;         // the outcome: what was sent, or what a failed stream counts as
  int sent_status = 0;    // set when they differ: a stream that failed after its 200 head
  int stream_status = 0;  // a stream that failed after its head: 502, or 504 for a deadline
  std::chrono::steady_clock::time_point start;
  std::optional<std::chrono::steady_clock::time_point> first_byte;
  std::optional<Usage> usage;
  bool stream = false;
  Dialect dialect = Dialect::OpenAI;  // the client's
  std::string error;                  // our error message when the gateway answered for the backend
  std::string route;                  // the auto router's decision: "<tier>; reason=<rule>"
  int attempts = 0;                   // deployments tried
  std::string failed;          // ids of the deployments whose attempts failed, comma-separated
  bool model_request = false;  // one of the model endpoints: kept in the request log
};

// Where the lines go: stdout, a file opened for appending, or nowhere. Shared by the workers.
class AccessLog {
 public:
  // `target`: "stdout", "off", or a file path (created if missing, appended to).
  explicit AccessLog(const std::string& target);
  ~AccessLog();
  AccessLog(const AccessLog&) = delete;
  AccessLog& operator=(const AccessLog&) = delete;

  bool enabled() const { return fd_ >= 0; }
  // Why the target could not be opened; empty when it was.
  const std::string& problem() const { return problem_; }
  // Writes whole lines; a short write is retried, an error is reported once on stderr.
  void write_out(std::string_view lines);

 private:
  int fd_ = -1;
  bool owned_ = false;
  bool failed_ = false;
  std::string problem_;
  std::mutex mutex_;  // a worker's flush is one write(); the lock keeps large ones whole
};

// A worker's buffer in front of the shared AccessLog. Used on that worker's thread only.
class AccessLogWriter {
 public:
  // Timestamps and latencies are read on `clock`.
  AccessLogWriter(AccessLog& log, boost::asio::any_io_executor executor,
                  const Clock& clock = system_clock());
  ~AccessLogWriter();
  void write(const AccessRecord& r);
  void flush();

 private:
  void append_timestamp();

  boost::asio::any_io_executor executor_;
  const Clock& clock_;
  // The buffer outlives the writer while a posted flush is pending (a handler replaced by a
  // reload is destroyed when its last request ends, possibly before that flush runs).
  struct Pending {
    AccessLog* log;
    std::string buffer;
    bool flush_posted = false;
    void flush() {
      if (buffer.empty()) return;
      log->write_out(buffer);
      buffer.clear();
    }
  };
  std::shared_ptr<Pending> pending_;
  std::chrono::system_clock::time_point::rep second_ = -1;  // cached "YYYY-MM-DDTHH:MM:SS"
  char second_text_[24] = {};
};

}  // namespace fleetgate
