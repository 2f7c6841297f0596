// The gateway's counters for GET /metrics and the store's usage history: per worker and
// deployment, written only by that worker (relaxed atomics, no sharing of cache lines between
// workers, no allocation), summed by readers.
#pragma once

#include "openai/dialect.h"
#include "server/access_log.h"

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace fleetgate {

struct GatewayState;

// The status codes counted one by one; anything else counts as "other".
inline constexpr std::array<int, 13> kCountedStatus = {200, 400, 401, 404, 408, 413, 429,
                                                       499, 500, 502, 503, 504, 0};
// Histogram bucket bounds, seconds (Prometheus convention), for latency and time to first byte.
inline constexpr std::array<double, 14> kLatencyBuckets = {
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300};

struct DeploymentCounters {
  std::array<std::atomic<std::uint64_t>, kCountedStatus.size() + 1> by_status{};  // + other
  std::array<std::atomic<std::uint64_t>, kLatencyBuckets.size()> latency{};       // le bounds
  std::array<std::atomic<std::uint64_t>, kLatencyBuckets.size()> ttfb{};
  std::atomic<std::uint64_t> count{0};
  std::atomic<std::uint64_t> failed{0};  // 5xx (counted one by one or not) and no answer
  std::atomic<std::uint64_t> latency_sum_us{0};
  std::atomic<std::uint64_t> ttfb_count{0};
  std::atomic<std::uint64_t> ttfb_sum_us{0};
  std::atomic<std::uint64_t> prompt_tokens{0};
  std::atomic<std::uint64_t> completion_tokens{0};
};

// Per client dialect (OpenAI, Responses, Anthropic, Ollama): requests by status, and tokens.
struct DialectCounters {
  std::array<std::atomic<std::uint64_t>, kCountedStatus.size() + 1> by_status{};
  std::atomic<std::uint64_t> prompt_tokens{0};
  std::atomic<std::uint64_t> completion_tokens{0};
};

// Totals of one deployment (all workers), for usage history.
struct DeploymentTotals {
  std::uint64_t requests = 0;
  std::uint64_t errors = 0;  // 5xx and no answer
  std::uint64_t prompt_tokens = 0;
  std::uint64_t completion_tokens = 0;
  std::uint64_t busy_us = 0;  // the sum of request times
};

class GatewayMetrics {
 public:
  // Slot `deployments` (one past the last) counts requests no deployment served.
  GatewayMetrics(unsigned workers, std::size_t deployments);

  // On worker `worker`'s thread, once per request.
  void record(unsigned worker, int deployment, const AccessRecord& r,
              std::chrono::steady_clock::time_point end);

  DeploymentTotals totals(std::size_t deployment) const;
  // Appends the gateway's series in Prometheus text format.
  void append(const GatewayState& state, std::string& out) const;

 private:
  std::size_t slots_;
  std::vector<std::unique_ptr<DeploymentCounters[]>> workers_;
  std::vector<std::unique_ptr<std::array<DialectCounters, kDialects>>> dialects_;
};

}  // namespace fleetgate
