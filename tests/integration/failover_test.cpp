// Resilient routing with real processes on loopback: retries on another deployment, passive
// cooldowns, fallbacks and context-window fallbacks.
#include "support/child_process.h"
#include "support/fleet.h"
#include "support/http_client.h"

#include <gtest/gtest.h>
#include <boost/json.hpp>

#include <csignal>

namespace fleetgate::test {
namespace {

namespace json = boost::json;

const std::string kChat = R"({"model":"fast","messages":[{"role":"user","content":"hi"}]})";

std::uint16_t dead_port() {
  auto sim = start_sim();
  const std::uint16_t port = sim.port;
  sim.process->stop(SIGKILL);
  return port;
}

std::string router(const std::string& settings) { return "router_settings: " + settings + "\n"; }

}  // namespace

TEST(Failover, ADeadDeploymentIsRetriedElsewhereThenCooledDown) {
  auto sim = start_sim({"--models", "x"});
  auto gw = start_gateway("model_list:\n" + deployment("fast", "openai/x", dead_port()) +
                          deployment("fast", "openai/x", sim.port) +
                          router("{num_retries: 1, allowed_fails: 0, cooldown_time: 60}"));
  int retried = 0;
  for (int i = 0; i < 20; ++i) {
    auto r = http_request(gw.port, "POST", "/v1/chat/completions", kChat);
    ASSERT_EQ(r.status, 200) << r.body << r.error;
    EXPECT_EQ(r.headers["x-fleetgate-deployment"], "fast#2");
    if (r.headers["x-fleetgate-attempts"] == "2")
      ++retried;
    else
      EXPECT_EQ(r.headers["x-fleetgate-attempts"], "1");
  }
  // Once the dead one failed it is cooling down: no later request tries it first.
  EXPECT_LE(retried, 1);
}

TEST(Failover, ServerErrorsAreRetriedAndPassedThroughWhenNothingElseWorks) {
  auto broken = start_sim({"--models", "x", "--error-rate", "1", "--error-status", "500"});
  auto sim = start_sim({"--models", "x"});
  auto gw = start_gateway("model_list:\n" + deployment("fast", "openai/x", broken.port) +
                          deployment("fast", "openai/x", sim.port) +
                          deployment("lonely", "openai/x", broken.port) +
                          router("{num_retries: 2, allowed_fails: 100}"));
  bool retried = false;
  for (int i = 0; i < 10; ++i) {
    auto r = http_request(gw.port, "POST", "/v1/chat/completions", kChat);
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.headers["x-fleetgate-deployment"], "fast#2");
    retried |= r.headers["x-fleetgate-attempts"] == "2";
  }
  // A request the retry fixed is logged with the failed attempt but without an error.
  if (retried) {
    EXPECT_TRUE(gw.process->wait_for(
        R"("deployment":"fast#2","status":200.*"attempts":2,"failed":"fast#1"\})"))
        << gw.process->output();
  }
  // The only deployment of "lonely" fails: its own 500 and body reach the client.
  auto r = http_request(gw.port, "POST", "/v1/chat/completions",
                        R"({"model":"lonely","messages":[{"role":"user","content":"hi"}]})");
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(json::parse(r.body).at("error").at("message"), "sim: injected failure");
  EXPECT_EQ(r.headers["x-fleetgate-attempts"], "1");
  EXPECT_EQ(r.headers["x-fleetgate-deployment"], "lonely#1");
  EXPECT_TRUE(gw.process->wait_for(
      R"("deployment":"lonely#1","status":500.*"error":"backend answered 500")"));
}

TEST(Failover, FallbacksServeWhenTheModelCannot) {
  auto sim = start_sim({"--models", "small"});
  auto gw = start_gateway("model_list:\n" + deployment("big", "openai/big", dead_port()) +
                          deployment("small", "openai/small", sim.port) +
                          router(R"({fallbacks: [{"big": ["small"]}]})"));
  auto r = http_request(gw.port, "POST", "/v1/chat/completions",
                        R"({"model":"big","messages":[{"role":"user","content":"hi"}]})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.headers["x-fleetgate-deployment"], "small#1");
  EXPECT_EQ(r.headers["x-fleetgate-attempts"], "2");
  EXPECT_TRUE(gw.process->wait_for(R"("deployment":"small#1".*"attempts":2,"failed":"big#1")"))
      << gw.process->output();
  // The fallback's backend got its own model name, not the one the client asked for.
  auto last = json::parse(http_request(sim.port, "GET", "/sim/last").body).as_object();
  EXPECT_NE(last.at("body").as_string().find(R"("model":"small")"), std::string::npos);
}

TEST(Failover, ARateLimitedDeploymentRestsForItsRetryAfter) {
  auto limited = start_sim(
      {"--models", "x", "--error-rate", "1", "--error-status", "429", "--retry-after", "30"});
  auto sim = start_sim({"--models", "x"});
  auto gw = start_gateway("model_list:\n" + deployment("fast", "openai/x", limited.port) +
                          deployment("fast", "openai/x", sim.port) +
                          router("{num_retries: 1, allowed_fails: 100}"));
  int retried = 0;
  for (int i = 0; i < 20; ++i) {
    auto r = http_request(gw.port, "POST", "/v1/chat/completions", kChat);
    ASSERT_EQ(r.status, 200) << r.body;
    if (r.headers["x-fleetgate-attempts"] == "2") ++retried;
  }
  EXPECT_LE(retried, 1);  // after the first 429 it is left alone for 30 s
}

TEST(Failover, ContextWindowErrorsMoveToALargerModel) {
  auto small = start_sim({"--models", "s", "--max-context", "20"});
  auto big = start_sim({"--models", "b"});
  auto gw = start_gateway(
      "model_list:\n" + deployment("small", "openai/s", small.port) +
      deployment("big", "openai/b", big.port) + deployment("strict", "openai/s", small.port) +
      router(R"({num_retries: 2, context_window_fallbacks: [{"small": ["big"]}]})"));
  const std::string long_prompt(400, 'x');
  auto r = http_request(
      gw.port, "POST", "/v1/chat/completions",
      R"({"model":"small","messages":[{"role":"user","content":")" + long_prompt + R"("}]})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.headers["x-fleetgate-deployment"], "big#1");
  auto short_one = http_request(gw.port, "POST", "/v1/chat/completions",
                                R"({"model":"small","messages":[{"role":"user","content":"hi"}]})");
  EXPECT_EQ(short_one.headers["x-fleetgate-deployment"], "small#1");
  // Without a context-window fallback the backend's 400 reaches the client, unretried.
  auto strict = http_request(
      gw.port, "POST", "/v1/chat/completions",
      R"({"model":"strict","messages":[{"role":"user","content":")" + long_prompt + R"("}]})");
  EXPECT_EQ(strict.status, 400);
  EXPECT_EQ(json::parse(strict.body).at("error").at("code"), "context_length_exceeded");
  EXPECT_EQ(strict.headers["x-fleetgate-attempts"], "1");
}

TEST(Failover, StreamsFailOverBeforeTheFirstByte) {
  auto sim = start_sim({"--models", "x"});
  // The dead one is tried first (order 1, no health checks to find it out beforehand).
  auto gw = start_gateway("model_list:\n" +
                          deployment("fast", "openai/x", dead_port(), "      order: 1\n") +
                          deployment("fast", "openai/x", sim.port, "      order: 2\n") +
                          router("{num_retries: 1, allowed_fails: 0, cooldown_time: 60}") +
                          "fleetgate: {health_checks: {interval: 0}}\n");
  const std::string stream =
      R"({"model":"fast","stream":true,"messages":[{"role":"user","content":"hi"}]})";
  auto first = http_request(gw.port, "POST", "/v1/chat/completions", stream);
  ASSERT_EQ(first.status, 200) << first.body;
  EXPECT_EQ(first.headers["x-fleetgate-attempts"], "2");  // the failover happened
  EXPECT_EQ(first.headers["x-fleetgate-deployment"], "fast#2");
  EXPECT_TRUE(first.body.ends_with("data: [DONE]\n\n")) << first.body;
  EXPECT_EQ(first.body.find("error"), std::string::npos);  // nothing of the failure in the stream
  // Cooling now: the next streams go straight to the live one.
  for (int i = 0; i < 3; ++i) {
    auto r = http_request(gw.port, "POST", "/v1/chat/completions", stream);
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.headers["x-fleetgate-attempts"], "1");
    EXPECT_TRUE(r.body.ends_with("data: [DONE]\n\n")) << r.body;
  }
}

TEST(Failover, WhenEverythingIsCoolingOneRequestStillChecks) {
  auto gw = start_gateway("model_list:\n" + deployment("fast", "openai/x", dead_port()) +
                          router("{allowed_fails: 0, cooldown_time: 60}"));
  auto first = http_request(gw.port, "POST", "/v1/chat/completions", kChat);
  EXPECT_EQ(first.status, 502);
  // Cooling now; the gateway still tries it rather than refusing without a look.
  auto second = http_request(gw.port, "POST", "/v1/chat/completions", kChat);
  EXPECT_EQ(second.status, 502) << second.body;
  EXPECT_NE(json::parse(second.body).at("error").at("message").as_string().find("fast#1"),
            std::string::npos);
}

TEST(Failover, AdminBackendsShowsEachDeploymentsHealth) {
  auto sim = start_sim({"--models", "x"});
  auto gw = start_gateway("model_list:\n" + deployment("fast", "openai/x", dead_port()) +
                          deployment("fast", "openai/x", sim.port) +
                          router("{num_retries: 1, allowed_fails: 0, cooldown_time: 60}") +
                          "general_settings: {master_key: sk-admin}\n");
  const std::map<std::string, std::string> auth{{"authorization", "Bearer sk-admin"}};
  // Picks are random: 40 requests make it all but certain the dead one was tried once.
  for (int i = 0; i < 40; ++i)
    ASSERT_EQ(http_request(gw.port, "POST", "/v1/chat/completions", kChat, auth).status, 200);
  EXPECT_EQ(http_request(gw.port, "GET", "/admin/backends").status, 401);
  auto r = http_request(gw.port, "GET", "/admin/backends", "", auth);
  ASSERT_EQ(r.status, 200) << r.body;
  const auto data = json::parse(r.body).at("data").as_array();
  ASSERT_EQ(data.size(), 2u);
  const auto& dead = data[0].as_object();
  const auto& alive = data[1].as_object();
  EXPECT_EQ(dead.at("id"), "fast#1");
  EXPECT_EQ(dead.at("state"), "cooling_down") << r.body;
  EXPECT_EQ(dead.at("failures_total"), 1);
  EXPECT_TRUE(dead.contains("cooling_until_ms"));
  EXPECT_TRUE(dead.contains("since_ms"));
  EXPECT_EQ(alive.at("state"), "healthy");
  EXPECT_EQ(alive.at("in_flight"), 0);
  EXPECT_EQ(alive.at("failures_total"), 0);
}

}  // namespace fleetgate::test
