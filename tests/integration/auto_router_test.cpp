// The `auto` model with real sims: each request lands on the tier its traits call for, says why,
// and falls through to the next tier when its own is down.
#include "support/child_process.h"
#include "support/fleet.h"
#include "support/http_client.h"

#include <gtest/gtest.h>
#include <boost/json.hpp>

#include <csignal>

namespace fleetgate::test {
namespace {

namespace json = boost::json;

std::string ask(const std::string& content) {
  return R"({"model":"auto","messages":[{"role":"user","content":)" +
         json::serialize(json::value(content)) + "}]}";
}

}  // namespace

TEST(AutoRouter, PicksATierPerRequestExplainsItAndFallsThrough) {
  auto fast = start_sim({"--models", "small"});
  auto complex = start_sim({"--models", "medium"});
  auto frontier = start_sim({"--models", "large"});
  auto gw =
      start_gateway("model_list:\n" + deployment("fast", "openai/small", fast.port) +
                    deployment("complex", "openai/medium", complex.port) +
                    deployment("frontier", "openai/large", frontier.port) +
                    "fleetgate:\n  auto_router: {model: auto, tiers: [fast, complex, frontier]}\n"
                    "router_settings: {num_retries: 1}\n");
  auto hi = http_request(gw.port, "POST", "/v1/chat/completions", ask("Turn on the lights"));
  ASSERT_EQ(hi.status, 200) << hi.body;
  EXPECT_EQ(hi.headers["x-fleetgate-route"], "fast; reason=default");
  EXPECT_EQ(hi.headers["x-fleetgate-deployment"], "fast#1");

  const std::string code = ask("Why does this crash?\n```c\nint *p = 0; *p = 1;\n```");
  auto c = http_request(gw.port, "POST", "/v1/chat/completions", code);
  EXPECT_EQ(c.headers["x-fleetgate-route"], "complex; reason=code");
  EXPECT_EQ(c.headers["x-fleetgate-deployment"], "complex#1");
  EXPECT_EQ(json::parse(c.body).at("model"), "medium");

  auto p = http_request(gw.port, "POST", "/v1/chat/completions",
                        ask("Prove that the square root of 2 is irrational."));
  EXPECT_EQ(p.headers["x-fleetgate-route"], "frontier; reason=keyword:prove");
  EXPECT_EQ(p.headers["x-fleetgate-deployment"], "frontier#1");
  EXPECT_TRUE(gw.process->wait_for(
      R"("model":"auto","deployment":"complex#1".*"route":"complex; reason=code")"))
      << gw.process->output();

  // The complex tier goes down: its requests fall through to the next tier.
  complex.process->stop(SIGKILL);
  auto fell = http_request(gw.port, "POST", "/v1/chat/completions", code);
  ASSERT_EQ(fell.status, 200) << fell.body;
  EXPECT_EQ(fell.headers["x-fleetgate-route"], "complex; reason=code");
  EXPECT_EQ(fell.headers["x-fleetgate-deployment"], "frontier#1");

  auto models = json::parse(http_request(gw.port, "GET", "/v1/models").body);
  bool listed = false;
  for (const auto& m : models.at("data").as_array()) listed |= m.at("id") == "auto";
  EXPECT_TRUE(listed);
  EXPECT_EQ(http_request(gw.port, "GET", "/v1/models/auto").status, 200);
}

}  // namespace fleetgate::test
