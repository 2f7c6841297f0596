// The gateway in-process against in-process fake backends, each request scripted: what a
// backend does (errors, rate limits, resets, hangs, delays, streams that break) and what the
// gateway makes of it (retries elsewhere, rests, timeouts, error events, metrics).
#include "support/eventually.h"
#include "support/fake_upstream.h"
#include "support/http_client.h"
#include "support/in_process.h"

#include "config/loader.h"

#include <gtest/gtest.h>
#include <boost/json.hpp>

#include <chrono>

namespace fleetgate::test {
namespace {

using namespace std::chrono_literals;
namespace json = boost::json;

const std::string kChat = R"({"model":"fast","messages":[{"role":"user","content":"hi"}]})";
const std::string kStream =
    R"({"model":"fast","stream":true,"messages":[{"role":"user","content":"hi"}]})";

std::string deployment(const FakeUpstream& up, const std::string& extra = "") {
  return "  - model_name: fast\n    litellm_params:\n      model: openai/x\n      api_base: " +
         up.base() + "\n" + extra;
}

std::string two(const FakeUpstream& a, const FakeUpstream& b, const std::string& router) {
  return "model_list:\n" + deployment(a) + deployment(b) + "router_settings: " + router + "\n";
}

HttpResponse chat(const InProcessGateway& g, const std::string& body = kChat) {
  return http_request(g.port, "POST", "/v1/chat/completions", body);
}

}  // namespace

TEST(InProcess, OnlyTheModelIsRewrittenOnTheWayToTheBackend) {
  FakeUpstream up;
  auto g = start_in_process("model_list:\n" + deployment(up));
  const std::string body =
      R"({"model":"fast","messages":[{"role":"user","content":"hi"}],"temperature":0.5})";
  auto r = chat(g, body);
  ASSERT_EQ(r.status, 200) << r.body << r.error;
  ASSERT_EQ(up.count(), 1u);
  const auto seen = up.received().front();
  EXPECT_EQ(seen.target, "/v1/chat/completions");
  EXPECT_EQ(seen.body,
            R"({"model":"x","messages":[{"role":"user","content":"hi"}],"temperature":0.5})");
  EXPECT_EQ(json::parse(r.body).at("choices").at(0).at("message").at("content"), "hello");
}

TEST(InProcess, AServerErrorIsRetriedOnTheOtherDeployment) {
  FakeUpstream broken, good;
  broken.always(FakeReply::error(500, "boom"));
  auto g = start_in_process(two(broken, good, "{num_retries: 1, allowed_fails: 100}"));
  std::size_t retried = 0;
  for (int i = 0; i < 8; ++i) {
    auto r = chat(g);
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.headers["x-fleetgate-deployment"], "fast#2");
    if (r.headers["x-fleetgate-attempts"] == "2") ++retried;
  }
  EXPECT_EQ(broken.count(), retried);  // each visit to the broken one was retried at once
  EXPECT_EQ(good.count(), 8u);
}

TEST(InProcess, ARateLimitedBackendRestsForItsRetryAfter) {
  FakeUpstream limited, good;
  FakeReply r429 = FakeReply::error(429, "slow down");
  r429.headers["Retry-After"] = "30";
  limited.always(r429);
  auto g = start_in_process(two(limited, good, "{num_retries: 1, allowed_fails: 100}"));
  for (int i = 0; i < 10; ++i) ASSERT_EQ(chat(g).status, 200);
  EXPECT_LE(limited.count(), 1u);  // after its first 429 it is left alone for 30 s
}

TEST(InProcess, AConnectionResetBeforeTheAnswerIsRetriedElsewhere) {
  FakeUpstream resetting, good;
  resetting.always(FakeReply::connection_reset());
  auto g = start_in_process(two(resetting, good, "{num_retries: 1, allowed_fails: 100}"));
  for (int i = 0; i < 6; ++i) {
    auto r = chat(g);
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.headers["x-fleetgate-deployment"], "fast#2");
  }
}

TEST(InProcess, AHangingBackendIs504AtItsTimeoutAndADelayWithinItIsServed) {
  FakeUpstream up;
  up.then(FakeReply::hang_up());
  FakeReply slow = FakeReply::completion("late");
  slow.delay = 100ms;
  up.then(slow);
  auto g = start_in_process("model_list:\n" + deployment(up, "      timeout: 0.5\n"));
  const auto t0 = std::chrono::steady_clock::now();
  auto r = chat(g);
  const auto took = std::chrono::steady_clock::now() - t0;
  EXPECT_EQ(r.status, 504) << r.body;
  EXPECT_EQ(json::parse(r.body).at("error").at("code"), "upstream_timeout");
  EXPECT_GE(took, 450ms);
  EXPECT_LT(took, 3s);
  auto late = chat(g);
  ASSERT_EQ(late.status, 200) << late.body;
  EXPECT_EQ(json::parse(late.body).at("choices").at(0).at("message").at("content"), "late");
}

TEST(InProcess, AStreamIsRelayedEventByEventWithItsUsage) {
  FakeUpstream up;
  FakeReply s = FakeReply::stream({"one", "two", "three"});
  s.gap = 20ms;
  up.then(s);
  auto g = start_in_process("model_list:\n" + deployment(up));
  auto r = chat(g, kStream);
  ASSERT_EQ(r.status, 200) << r.error;
  EXPECT_EQ(r.headers["content-type"], "text/event-stream");
  EXPECT_NE(r.body.find("\"content\":\"three\""), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("data: [DONE]"), std::string::npos);
  auto m = http_request(g.port, "GET", "/metrics");
  EXPECT_NE(m.body.find(
                R"(fleetgate_tokens_total{model="fast",deployment="fast#1",type="completion"} 3)"),
            std::string::npos)
      << m.body;
}

TEST(InProcess, AStreamThatBreaksMidwayEndsWithAnErrorEventAndCountsAsAnError) {
  FakeUpstream up;
  FakeReply s = FakeReply::stream({"one", "two", "three", "four"});
  s.break_after = 2;
  up.then(s);
  auto g = start_in_process("model_list:\n" + deployment(up));
  auto r = chat(g, kStream);
  ASSERT_EQ(r.status, 200) << r.error;  // the head had gone out
  EXPECT_NE(r.body.find("\"content\":\"two\""), std::string::npos) << r.body;
  EXPECT_EQ(r.body.find("\"content\":\"three\""), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("data: {\"error\""), std::string::npos) << r.body;
  EXPECT_EQ(r.body.find("[DONE]"), std::string::npos);
  auto m = http_request(g.port, "GET", "/metrics");
  EXPECT_NE(
      m.body.find(R"(fleetgate_requests_total{model="fast",deployment="fast#1",code="502"} 1)"),
      std::string::npos)
      << m.body;
}

TEST(InProcess, AStreamThatFailsBeforeItsFirstByteFailsOver) {
  FakeUpstream resetting, good;
  resetting.always(FakeReply::connection_reset());
  auto g = start_in_process(two(resetting, good, "{num_retries: 1, allowed_fails: 100}"));
  for (int i = 0; i < 4; ++i) {
    auto r = chat(g, kStream);
    ASSERT_EQ(r.status, 200) << r.error;
    EXPECT_NE(r.body.find("data: [DONE]"), std::string::npos) << r.body;
    EXPECT_EQ(r.body.find("\"error\""), std::string::npos) << r.body;
  }
}

TEST(InProcess, WithEveryDeploymentFailingTheLastAnswerReachesTheClient) {
  FakeUpstream a, b;
  a.always(FakeReply::error(503, "a is down"));
  b.always(FakeReply::error(503, "b is down"));
  auto g = start_in_process(two(a, b, "{num_retries: 1, allowed_fails: 100}"));
  auto r = chat(g);
  EXPECT_EQ(r.status, 503);
  const auto message = json::parse(r.body).at("error").at("message").as_string();
  EXPECT_TRUE(message == "a is down" || message == "b is down") << r.body;
  EXPECT_EQ(r.headers["x-fleetgate-attempts"], "2");
  EXPECT_EQ(a.count() + b.count(), 2u);
}

TEST(InProcess, ABackendListingAnotherModelIsEjectedWhenTheConfigSaysSo) {
  FakeUpstream wrong({"something-else"}), right({"x"});
  auto g = start_in_process(
      two(wrong, right, "{num_retries: 0}") +
      "fleetgate:\n  health_checks: {interval: 100ms, timeout: 1s, rise: 1, fall: 1, "
      "on_drift: eject}\n");
  auto routed = [&](const std::string& id) {
    auto b = json::parse(http_request(g.port, "GET", "/admin/backends").body);
    for (const auto& d : b.at("data").as_array())
      if (d.at("id").as_string() == id) return d.at("routed").as_bool();
    return false;
  };
  ASSERT_TRUE(eventually([&] { return !routed("fast#1") && routed("fast#2"); }));
  const auto before = wrong.count();
  for (int i = 0; i < 6; ++i) {
    auto r = chat(g);
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.headers["x-fleetgate-deployment"], "fast#2");
  }
  EXPECT_EQ(wrong.count(), before);
  // Once it lists the model again, it is back.
  wrong.set_models({"x"});
  EXPECT_TRUE(eventually([&] { return routed("fast#1"); }));
}

}  // namespace fleetgate::test

namespace fleetgate::test {

TEST(InProcess, ADaemonThatCannotOpenItsStoreOrAccessLogSaysWhich) {
  auto config = load_config_text("model_list: []\n", "test.yaml");
  ASSERT_TRUE(config);
  auto no_store = ServeDaemon::open(*config, {"", "/nonexistent-dir/x.db", {}, {}});
  ASSERT_FALSE(no_store);
  EXPECT_NE(no_store.error().message.find("--data /nonexistent-dir/x.db"), std::string::npos)
      << no_store.error().message;
  config->gateway.access_log = "/nonexistent-dir/a.log";
  auto no_log = ServeDaemon::open(*config, {"", ":memory:", {}, {}});
  ASSERT_FALSE(no_log);
  EXPECT_NE(no_log.error().message.find("fleetgate.access_log: cannot open /nonexistent-dir/a.log"),
            std::string::npos)
      << no_log.error().message;
}

}  // namespace fleetgate::test
