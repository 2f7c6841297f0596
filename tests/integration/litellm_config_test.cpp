// LiteLLM config forms with real processes on loopback: wildcard model names routed and sent the
// model LiteLLM would send, per-deployment max_retries acted on, mutual fallbacks tried once
// each, and `fleetgate check` giving the fixtures' exit statuses.
#include "support/child_process.h"
#include "support/fleet.h"
#include "support/http_client.h"

#include <gtest/gtest.h>
#include <boost/json.hpp>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

namespace fleetgate::test {
namespace {

namespace json = boost::json;

std::string chat(const std::string& model) {
  return R"({"model":")" + model + R"(","messages":[{"role":"user","content":"hi"}]})";
}

json::object sim_last(std::uint16_t port) {
  return json::parse(http_request(port, "GET", "/sim/last").body).as_object();
}

}  // namespace

TEST(LiteLLMConfig, WildcardNamesRouteWithTheModelLiteLLMWouldSend) {
  auto coder = start_sim({"--models", "qwen2.5-coder"});
  auto any = start_sim({"--models", "gpt-4o,claude-3-opus,llama3"});
  auto gw = start_gateway(
      "model_list:\n" + deployment("claude-*", "openai/qwen2.5-coder", coder.port) +
      deployment("\"*\"", "openai/*", any.port) + deployment("llama3", "openai/llama3", any.port));
  // claude-* has a fixed model: Claude Code's names all reach the coder model.
  auto r = http_request(gw.port, "POST", "/v1/chat/completions", chat("claude-sonnet-4-5"));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.headers["x-fleetgate-deployment"], "claude-*#1");
  EXPECT_EQ(json::parse(sim_last(coder.port).at("body").as_string()).at("model"), "qwen2.5-coder");
  // "*" with openai/* passes the requested name on.
  r = http_request(gw.port, "POST", "/v1/chat/completions", chat("gpt-4o"));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.headers["x-fleetgate-deployment"], "*#1");
  EXPECT_EQ(json::parse(sim_last(any.port).at("body").as_string()).at("model"), "gpt-4o");
  // An exact name beats the patterns.
  r = http_request(gw.port, "POST", "/v1/chat/completions", chat("llama3"));
  EXPECT_EQ(r.headers["x-fleetgate-deployment"], "llama3#1");
  // /v1/models lists the patterns as written, as LiteLLM's proxy does.
  const auto models = json::parse(http_request(gw.port, "GET", "/v1/models").body);
  std::vector<std::string> ids;
  for (const auto& m : models.at("data").as_array())
    ids.emplace_back(m.at("id").as_string().c_str());
  EXPECT_EQ(ids, (std::vector<std::string>{"claude-*", "*", "llama3"}));
  EXPECT_EQ(http_request(gw.port, "GET", "/v1/models/claude-3-opus").status, 200);
}

TEST(LiteLLMConfig, NamesNoPatternMatchesAreUnknownModels) {
  auto sim = start_sim({"--models", "x"});
  auto gw = start_gateway("model_list:\n" + deployment("claude-*", "openai/x", sim.port));
  auto r = http_request(gw.port, "POST", "/v1/chat/completions", chat("gpt-4o"));
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(json::parse(r.body).at("error").at("code"), "model_not_found");
}

TEST(LiteLLMConfig, MaxRetriesTriesTheSameDeploymentAgainBeforeGivingUp) {
  auto broken = start_sim({"--models", "x", "--error-rate", "1", "--error-status", "503"});
  auto gw = start_gateway("model_list:\n" +
                          deployment("flaky", "openai/x", broken.port, "      max_retries: 2\n") +
                          deployment("once", "openai/x", broken.port));
  const auto before = sim_last(broken.port).at("count").as_int64();
  const auto started = std::chrono::steady_clock::now();
  auto r = http_request(gw.port, "POST", "/v1/chat/completions", chat("flaky"));
  const auto took = std::chrono::steady_clock::now() - started;
  EXPECT_EQ(r.status, 503) << r.body;
  EXPECT_EQ(r.headers["x-fleetgate-attempts"], "3");
  EXPECT_EQ(sim_last(broken.port).at("count").as_int64() - before, 3);
  // The OpenAI client's backoff: 0.5 s then 1 s, each less up to a quarter.
  EXPECT_GE(took, std::chrono::milliseconds(1100));
  EXPECT_LT(took, std::chrono::milliseconds(5000));
  // One failure to the router, not three: the access log names the deployment once.
  EXPECT_TRUE(gw.process->wait_for(
      R"("deployment":"flaky#1","status":503.*"attempts":3,"failed":"flaky#1","error")"))
      << gw.process->output();

  const auto mid = sim_last(broken.port).at("count").as_int64();
  r = http_request(gw.port, "POST", "/v1/chat/completions", chat("once"));
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(r.headers["x-fleetgate-attempts"], "1");
  EXPECT_EQ(sim_last(broken.port).at("count").as_int64() - mid, 1);
}

TEST(LiteLLMConfig, MutualFallbacksTryEachModelOnce) {
  auto broken = start_sim({"--models", "x", "--error-rate", "1", "--error-status", "500"});
  auto gw = start_gateway("model_list:\n" + deployment("gpu", "openai/x", broken.port) +
                          deployment("cpu", "openai/x", broken.port) +
                          "router_settings:\n  allowed_fails: 100\n"
                          "  fallbacks: [{gpu: [cpu]}, {cpu: [gpu]}]\n");
  const auto before = sim_last(broken.port).at("count").as_int64();
  auto r = http_request(gw.port, "POST", "/v1/chat/completions", chat("gpu"));
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(r.headers["x-fleetgate-attempts"], "2");
  EXPECT_EQ(r.headers["x-fleetgate-deployment"], "cpu#1");
  EXPECT_EQ(sim_last(broken.port).at("count").as_int64() - before, 2);
}

// `fleetgate check` exits as each fixture's header says, and prints its summary.
TEST(LiteLLMConfig, CheckGivesEachFixturesExitStatus) {
  namespace fs = std::filesystem;
  int checked = 0;
  for (const auto& e :
       fs::directory_iterator(fs::path(FLEETGATE_SOURCE_DIR) / "tests/fixtures/litellm")) {
    std::ifstream in(e.path());
    std::stringstream text;
    text << in.rdbuf();
    std::smatch m;
    const std::string body = text.str();
    ASSERT_TRUE(std::regex_search(body, m, std::regex("# exit: (\\d)"))) << e.path();
    if (body.find("# env: ") != std::string::npos) continue;  // needs its environment
    std::string out;
    EXPECT_EQ(run({"check", "--config", e.path().string()}, &out), std::stoi(m[1]))
        << e.path() << out;
    std::smatch s;
    if (std::regex_search(body, s, std::regex("# summary: ([^\n]+)"))) {
      EXPECT_NE(out.find(s[1].str()), std::string::npos) << out;
    }
    ++checked;
  }
  EXPECT_GE(checked, 20);
}

}  // namespace fleetgate::test
