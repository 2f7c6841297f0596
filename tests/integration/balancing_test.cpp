// Balancing strategies and per-deployment limits with real sims: order as priority, spill-over,
// the bounded wait and its 429, rpm, least-busy and latency-based routing.
#include "support/child_process.h"
#include "support/fleet.h"
#include "support/http_client.h"

#include <gtest/gtest.h>
#include <boost/json.hpp>

#include <future>
#include <set>
#include <thread>

namespace fleetgate::test {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

const std::string kChat = R"({"model":"fast","messages":[{"role":"user","content":"hi"}]})";

std::future<HttpResponse> in_background(std::uint16_t port) {
  return std::async(std::launch::async,
                    [port] { return http_request(port, "POST", "/v1/chat/completions", kChat); });
}

std::string served_by(const HttpResponse& r) {
  auto it = r.headers.find("x-fleetgate-deployment");
  return it == r.headers.end() ? "" : it->second;
}

}  // namespace

TEST(Balancing, OrderIsPriorityAndSpillsOverWhenFull) {
  auto slow = start_sim({"--models", "x", "--ttft", "600ms"});
  auto backup = start_sim({"--models", "x"});
  auto gw = start_gateway("model_list:\n" +
                          deployment("fast", "openai/x", slow.port,
                                     "      order: 1\n      max_parallel_requests: 1\n") +
                          deployment("fast", "openai/x", backup.port, "      order: 2\n"));
  EXPECT_EQ(served_by(http_request(gw.port, "POST", "/v1/chat/completions", kChat)), "fast#1");
  auto busy = in_background(gw.port);
  std::this_thread::sleep_for(200ms);  // fast#1 is now at its one parallel request
  auto spilled = http_request(gw.port, "POST", "/v1/chat/completions", kChat);
  EXPECT_EQ(spilled.status, 200);
  EXPECT_EQ(served_by(spilled), "fast#2");
  EXPECT_EQ(served_by(busy.get()), "fast#1");
}

TEST(Balancing, AFullModelQueuesBrieflyThenAnswers429) {
  auto slow = start_sim({"--models", "x", "--ttft", "800ms"});
  auto gw =
      start_gateway("model_list:\n" +
                    deployment("fast", "openai/x", slow.port, "      max_parallel_requests: 1\n") +
                    "fleetgate: {queue_timeout: 200ms}\n");
  auto busy = in_background(gw.port);
  std::this_thread::sleep_for(200ms);
  const auto t0 = std::chrono::steady_clock::now();
  auto refused = http_request(gw.port, "POST", "/v1/chat/completions", kChat);
  EXPECT_GE(std::chrono::steady_clock::now() - t0, 180ms);  // it waited for room first
  EXPECT_EQ(refused.status, 429) << refused.body;
  EXPECT_EQ(refused.headers["retry-after"], "1");
  EXPECT_EQ(json::parse(refused.body).at("error").at("code"), "rate_limit_exceeded");
  EXPECT_EQ(busy.get().status, 200);
}

TEST(Balancing, AFullQueueRefusesAtOnce) {
  auto slow = start_sim({"--models", "x", "--ttft", "800ms"});
  auto gw =
      start_gateway("model_list:\n" +
                    deployment("fast", "openai/x", slow.port, "      max_parallel_requests: 1\n") +
                    "fleetgate: {queue_timeout: 5s, max_queued: 0}\n");
  auto busy = in_background(gw.port);
  std::this_thread::sleep_for(200ms);
  const auto t0 = std::chrono::steady_clock::now();
  auto refused = http_request(gw.port, "POST", "/v1/chat/completions", kChat);
  EXPECT_EQ(refused.status, 429);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 1s);  // no waiting room: no wait
  EXPECT_EQ(busy.get().status, 200);
}

TEST(Balancing, AWaitLongEnoughIsServed) {
  auto slow = start_sim({"--models", "x", "--ttft", "400ms"});
  auto gw =
      start_gateway("model_list:\n" +
                    deployment("fast", "openai/x", slow.port, "      max_parallel_requests: 1\n") +
                    "fleetgate: {queue_timeout: 3s}\n");
  auto busy = in_background(gw.port);
  std::this_thread::sleep_for(100ms);
  auto waited = http_request(gw.port, "POST", "/v1/chat/completions", kChat);
  EXPECT_EQ(waited.status, 200) << waited.body;
  EXPECT_EQ(busy.get().status, 200);
}

TEST(Balancing, RpmLimitsADeployment) {
  auto sim = start_sim({"--models", "x"});
  auto gw =
      start_gateway("model_list:\n" + deployment("fast", "openai/x", sim.port, "      rpm: 3\n") +
                    "fleetgate: {queue_timeout: 100ms}\n");
  // rpm counts per wall-clock minute: start with time to spare in this one (a wait of at most
  // 10 s), so that the four requests fall in the same minute.
  auto second_of_minute = [] {
    const auto now = std::chrono::system_clock::now().time_since_epoch();
    return std::chrono::duration_cast<std::chrono::seconds>(now).count() % 60;
  };
  while (second_of_minute() >= 50) std::this_thread::sleep_for(200ms);
  for (int i = 0; i < 3; ++i)
    EXPECT_EQ(http_request(gw.port, "POST", "/v1/chat/completions", kChat).status, 200);
  auto fourth = http_request(gw.port, "POST", "/v1/chat/completions", kChat);
  EXPECT_EQ(fourth.status, 429) << fourth.body;
  EXPECT_EQ(fourth.headers["retry-after"], "1");
}

TEST(Balancing, LeastBusyAvoidsTheDeploymentsWithRequestsInFlight) {
  auto sim = start_sim({"--models", "x", "--ttft", "1200ms"});
  // Six deployments, one slow backend: each new request must go to one that has none in
  // flight. A random picker gets six apart by chance once in 65 tries; twice, once in 4,000.
  std::string models = "model_list:\n";
  for (int i = 0; i < 6; ++i) models += deployment("fast", "openai/x", sim.port);
  auto gw = start_gateway(models + "router_settings: {routing_strategy: least-busy}\n" +
                          "fleetgate: {health_checks: {interval: 0}}\n");
  for (int round = 0; round < 2; ++round) {
    std::vector<std::future<HttpResponse>> running;
    for (int i = 0; i < 6; ++i) {
      running.push_back(in_background(gw.port));
      std::this_thread::sleep_for(100ms);  // each is in flight before the next comes
    }
    std::set<std::string> used;
    for (auto& r : running) {
      const auto done = r.get();
      EXPECT_EQ(done.status, 200);
      used.insert(served_by(done));
    }
    EXPECT_EQ(used.size(), 6u) << "round " << round;
  }
  EXPECT_TRUE(gw.process->output().find("not implemented yet") == std::string::npos);
}

TEST(Balancing, LatencyBasedSendsTrafficToTheFasterBackend) {
  auto slow = start_sim({"--models", "x", "--ttft", "150ms"});
  auto quick = start_sim({"--models", "x"});
  auto gw = start_gateway("model_list:\n" + deployment("fast", "openai/x", slow.port) +
                          deployment("fast", "openai/x", quick.port) +
                          "router_settings: {routing_strategy: latency-based-routing}\n");
  // Both get measured first (unmeasured ones are preferred), then the quick one wins.
  for (int i = 0; i < 4; ++i) http_request(gw.port, "POST", "/v1/chat/completions", kChat);
  for (int i = 0; i < 8; ++i)
    EXPECT_EQ(served_by(http_request(gw.port, "POST", "/v1/chat/completions", kChat)), "fast#2");
  // /admin/backends shows the moving averages it decided by.
  auto all = boost::json::parse(http_request(gw.port, "GET", "/admin/backends").body);
  const auto& data = all.at("data").as_array();
  EXPECT_GT(data[0].at("ttfb_ewma_ms").as_double(), data[1].at("ttfb_ewma_ms").as_double());
}

}  // namespace fleetgate::test
