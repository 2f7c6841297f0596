// The gateway's counters: per worker, summed by readers, rendered in Prometheus text format.
#include "gateway/gateway_metrics.h"

#include "config/loader.h"
#include "gateway/gateway_state.h"

#include <gtest/gtest.h>

namespace fleetgate {
namespace {

using namespace std::chrono_literals;

GatewayState two_deployments() {
  auto config = load_config_text(R"(model_list:
  - model_name: "fast \"q\""
    litellm_params: {model: openai/m, api_base: "http://127.0.0.1:9/v1"}
  - model_name: big
    litellm_params: {model: openai/m, api_base: "http://127.0.0.1:10/v1"}
)",
                                 "config.yaml");
  EXPECT_TRUE(config) << (config ? "" : config.error().front().str());
  return GatewayState(std::move(*config));
}

AccessRecord answered(int status, std::chrono::steady_clock::time_point start) {
  AccessRecord r;
  r.status = status;
  r.start = start;
  return r;
}

TEST(GatewayMetrics, TotalsSumEveryWorkerAndCountFailuresAsErrors) {
  GatewayMetrics m(2, 2);
  const auto t0 = std::chrono::steady_clock::time_point(1h);
  auto ok = answered(200, t0);
  ok.usage = Usage{10, 5};
  m.record(0, 0, ok, t0 + 3ms);
  m.record(1, 0, ok, t0 + 5ms);
  m.record(1, 0, answered(502, t0), t0 + 1ms);
  m.record(0, 0, answered(0, t0), t0 + 1ms);  // no answer was sent
  m.record(0, 0, answered(429, t0), t0 + 1ms);
  m.record(1, 0, answered(505, t0), t0 + 1ms);  // not counted by code, still a failure
  m.record(0, 1, answered(200, t0), t0 + 1ms);
  m.record(7, 0, ok, t0 + 1ms);  // not a worker: ignored
  const auto t = m.totals(0);
  EXPECT_EQ(t.requests, 6u);
  EXPECT_EQ(t.errors, 3u);
  EXPECT_EQ(t.prompt_tokens, 20u);
  EXPECT_EQ(t.completion_tokens, 10u);
  EXPECT_EQ(t.busy_us, 12'000u);
  EXPECT_EQ(m.totals(1).requests, 1u);
  EXPECT_EQ(m.totals(9).requests, 0u);
}

TEST(GatewayMetrics, PrometheusTextHasEscapedLabelsBucketsAndTokens) {
  const auto state = two_deployments();
  GatewayMetrics m(1, state.config.deployments.size());
  const auto t0 = std::chrono::steady_clock::time_point(1h);
  auto r = answered(200, t0);
  r.first_byte = t0 + 2ms;
  r.usage = Usage{23, 16};
  m.record(0, 0, r, t0 + 30ms);
  m.record(0, -1, answered(404, t0), t0 + 1ms);  // no deployment served it
  m.record(0, 1, answered(505, t0), t0 + 1ms);
  std::string out;
  m.append(state, out);
  const std::string fast = R"(model="fast \"q\"",deployment="fast \"q\"#1)";  // escaped
  auto has = [&out](const std::string& text) { return out.find(text) != std::string::npos; };
  EXPECT_TRUE(has("# TYPE fleetgate_requests_total counter\n")) << out;
  EXPECT_TRUE(has("fleetgate_requests_total{" + fast + "\",code=\"200\"} 1\n")) << out;
  EXPECT_TRUE(has("fleetgate_requests_total{model=\"\",deployment=\"\",code=\"404\"} 1\n")) << out;
  EXPECT_TRUE(has(",code=\"other\"} 1\n")) << out;
  // 30 ms falls in le=0.05 and every bucket above it, not in le=0.025.
  const std::string bucket = "fleetgate_request_duration_seconds_bucket{" + fast + "\",le=";
  EXPECT_TRUE(has(bucket + "\"0.025\"} 0\n")) << out;
  EXPECT_TRUE(has(bucket + "\"0.05\"} 1\n")) << out;
  EXPECT_TRUE(has(bucket + "\"+Inf\"} 1\n")) << out;
  EXPECT_TRUE(has("fleetgate_time_to_first_byte_seconds_sum{" + fast + "\"} 0.002000\n")) << out;
  EXPECT_TRUE(has("fleetgate_tokens_total{" + fast + "\",type=\"completion\"} 16\n")) << out;
}

}  // namespace
}  // namespace fleetgate
