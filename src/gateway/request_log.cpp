#include "gateway/request_log.h"

#include "core/json_escape.h"
#include "openai/dialect.h"

#include <algorithm>
#include <cstring>

namespace fleetgate {

namespace {

double millis(Clock::Steady::duration d) {
  return std::chrono::duration<double, std::milli>(d).count();
}

}  // namespace

template <std::size_t N>
void RequestLog::Text<N>::set(std::string_view s) {
  std::size_t n = std::min(s.size(), N);
  // Not in the middle of a UTF-8 sequence: back off over continuation bytes.
  while (n < s.size() && n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
  if (n > 0) std::memcpy(bytes.data(), s.data(), n);  // an empty view may have no data
  size = static_cast<std::uint16_t>(n);
}

void RequestLog::fill(Record& rec, const AccessRecord& r, Clock::Steady::time_point now,
                      std::int64_t now_wall_ms) {
  rec.at_ms = now_wall_ms;
  rec.request_id.set(r.request_id);
  rec.client.set(r.client);
  rec.dialect.set(to_string(r.dialect));
  rec.method.set(r.method);
  rec.path.set(r.path);
  rec.model.set(r.model);
  rec.route.set(r.route);
  rec.deployment.set(r.deployment);
  rec.error.set(r.error);
  rec.status = r.status;
  rec.attempts = r.attempts;
  rec.latency_ms = millis(now - r.start);
  rec.first_byte_ms = r.first_byte ? millis(*r.first_byte - r.start) : -1;
  rec.prompt_tokens = r.usage ? static_cast<std::int64_t>(r.usage->prompt_tokens) : 0;
  rec.completion_tokens = r.usage ? static_cast<std::int64_t>(r.usage->completion_tokens) : 0;
}

RequestRow RequestLog::row_of(const Record& rec) {
  RequestRow row;
  row.at_ms = rec.at_ms;
  row.request_id = rec.request_id.view();
  row.client = rec.client.view();
  row.dialect = rec.dialect.view();
  row.method = rec.method.view();
  row.path = rec.path.view();
  row.model = rec.model.view();
  row.route = rec.route.view();
  row.deployment = rec.deployment.view();
  row.error = rec.error.view();
  row.status = rec.status;
  row.attempts = rec.attempts;
  row.latency_ms = rec.latency_ms;
  row.first_byte_ms = rec.first_byte_ms;
  row.prompt_tokens = rec.prompt_tokens;
  row.completion_tokens = rec.completion_tokens;
  return row;
}

void RequestLog::add(unsigned worker, const AccessRecord& r) {
  const auto wall_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(clock_.wall().time_since_epoch())
          .count();
  Buffer& b = buffers_[worker % buffers_.size()];
  std::lock_guard lock(b.mutex);
  auto& set = b.sets[b.active];
  std::size_t& n = b.count[b.active];
  if (set.empty()) {  // this worker's first: both sets at once, so the steady state allocates none
    b.sets[0].resize(kReserved);
    b.sets[1].resize(kReserved);
  }
  if (n == set.size()) {
    if (set.size() >= kMaxBuffered) {
      dropped_.fetch_add(1, std::memory_order_relaxed);
      return;
    }
    set.resize(std::min(set.size() * 2, kMaxBuffered));  // a busier second than any before
  }
  fill(set[n++], r, clock_.steady(), wall_ms);
}

std::vector<RequestRow> RequestLog::drain() {
  std::vector<RequestRow> out;
  for (Buffer& b : buffers_) {
    int taken = 0;
    {
      std::lock_guard lock(b.mutex);
      if (b.count[b.active] == 0) continue;
      taken = b.active;
      b.active ^= 1;  // the worker fills the other set meanwhile
    }
    // Only the drain touches the taken set until it gives it back.
    const auto& set = b.sets[taken];
    for (std::size_t i = 0; i < b.count[taken]; ++i) out.push_back(row_of(set[i]));
    std::lock_guard lock(b.mutex);
    b.count[taken] = 0;
  }
  return out;
}

}  // namespace fleetgate
