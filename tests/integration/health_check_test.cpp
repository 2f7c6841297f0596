// Active health checks against real sims: a dead backend is taken out before any request
// fails, a loading llama.cpp server and (with on_drift: eject) a backend serving other models get
// no traffic, and a backend that comes back is routed to again.
#include "support/child_process.h"
#include "support/fleet.h"
#include "support/http_client.h"

#include <gtest/gtest.h>
#include <boost/json.hpp>

#include <csignal>
#include <thread>

namespace fleetgate::test {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

const std::string kChat = R"({"model":"fast","messages":[{"role":"user","content":"hi"}]})";
const std::string kFastChecks =
    "fleetgate:\n  health_checks: {interval: 100ms, timeout: 500ms, rise: 1, fall: 1}\n";

json::object backend(std::uint16_t gw_port, const std::string& id) {
  auto r = http_request(gw_port, "GET", "/admin/backends");
  const json::value all = json::parse(r.body);  // named: the loop below borrows from it
  for (const auto& d : all.at("data").as_array())
    if (d.at("id") == id.c_str()) return d.as_object();
  return {};
}

// Polls /admin/backends until `pred` holds for deployment `id` (bounded: 5 s).
template <class Pred>
bool eventually(std::uint16_t gw_port, const std::string& id, Pred pred) {
  for (int i = 0; i < 100; ++i) {
    if (pred(backend(gw_port, id))) return true;
    std::this_thread::sleep_for(50ms);
  }
  return false;
}

bool is(const json::object& o, const char* key, const char* value) {
  const auto* v = o.if_contains(key);
  return v && v->is_string() && v->as_string() == value;
}

}  // namespace

TEST(HealthChecks, ADeadBackendIsTakenOutBeforeAnyRequestFails) {
  auto dead = start_sim({"--models", "x"});
  const std::uint16_t dead_port = dead.port;
  dead.process->stop(SIGKILL);
  auto sim = start_sim({"--models", "x"});
  auto gw = start_gateway("model_list:\n" + deployment("fast", "openai/x", dead_port) +
                          deployment("fast", "openai/x", sim.port) + kFastChecks);
  ASSERT_TRUE(eventually(gw.port, "fast#1", [](const json::object& b) {
    return is(b, "active", "down");
  })) << http_request(gw.port, "GET", "/admin/backends").body;
  ASSERT_TRUE(
      eventually(gw.port, "fast#2", [](const json::object& b) { return is(b, "active", "up"); }));
  for (int i = 0; i < 20; ++i) {
    auto r = http_request(gw.port, "POST", "/v1/chat/completions", kChat);
    ASSERT_EQ(r.status, 200);
    EXPECT_EQ(r.headers["x-fleetgate-deployment"], "fast#2");
    EXPECT_EQ(r.headers["x-fleetgate-attempts"], "1");  // the dead one is never even tried
  }
  EXPECT_TRUE(gw.process->wait_for("backend 127.0.0.1:" + std::to_string(dead_port) + " is down"));

  // It comes back on the same port: the next probe lets it serve again.
  auto revived = start_sim({"--models", "x", "--listen", "127.0.0.1:" + std::to_string(dead_port)});
  ASSERT_TRUE(
      eventually(gw.port, "fast#1", [](const json::object& b) { return is(b, "active", "up"); }));
  bool served = false;
  for (int i = 0; i < 40 && !served; ++i)
    served = http_request(gw.port, "POST", "/v1/chat/completions", kChat)
                 .headers["x-fleetgate-deployment"] == "fast#1";
  EXPECT_TRUE(served);
}

TEST(HealthChecks, ALoadingLlamaCppServerAndADriftedBackendGetNoTraffic) {
  auto loading = start_sim({"--models", "x", "--loading"});
  auto drifted = start_sim({"--models", "y"});  // configured for x, serves y
  auto sim = start_sim({"--models", "x"});
  auto gw = start_gateway(
      "model_list:\n" + deployment("fast", "openai/x", loading.port) +
      deployment("fast", "openai/x", drifted.port) + deployment("fast", "openai/x", sim.port) +
      "fleetgate:\n  health_checks: {interval: 100ms, timeout: 500ms, rise: 1, fall: 1, "
      "on_drift: eject}\n");
  ASSERT_TRUE(
      eventually(gw.port, "fast#1", [](const json::object& b) { return is(b, "active", "down"); }));
  ASSERT_TRUE(eventually(gw.port, "fast#2", [](const json::object& b) {
    const auto* drift = b.if_contains("drift");
    return drift && drift->is_bool() && drift->as_bool();
  }));
  const auto d2 = backend(gw.port, "fast#2");
  EXPECT_TRUE(is(d2, "active", "up"));
  EXPECT_NE(d2.at("last_probe").as_string().find("does not list x"), std::string::npos);
  EXPECT_NE(backend(gw.port, "fast#1").at("last_probe").as_string().find("GET /health: 503"),
            std::string::npos);
  EXPECT_TRUE(gw.process->wait_for("deployment fast#2 drifted"));
  for (int i = 0; i < 20; ++i) {
    auto r = http_request(gw.port, "POST", "/v1/chat/completions", kChat);
    ASSERT_EQ(r.status, 200);
    EXPECT_EQ(r.headers["x-fleetgate-deployment"], "fast#3");
  }
}

TEST(HealthChecks, OllamaIsProbedThroughItsTagsAndRemoteAPIsAreNot) {
  auto ollama = start_sim({"--models", "qwen2.5:7b"});
  auto gw =
      start_gateway("model_list:\n" + deployment("local", "ollama_chat/qwen2.5:7b", ollama.port) +
                    deployment("untagged", "ollama/qwen2.5", ollama.port) +
                    "  - model_name: remote\n    litellm_params: {model: openai/gpt-4o, "
                    "api_base: 'https://api.example.com/v1', api_key: sk-x}\n" +
                    kFastChecks);
  ASSERT_TRUE(
      eventually(gw.port, "local#1", [](const json::object& b) { return is(b, "active", "up"); }));
  EXPECT_NE(backend(gw.port, "local#1").at("last_probe").as_string().find("GET /api/tags: 200"),
            std::string::npos);
  EXPECT_EQ(backend(gw.port, "local#1").at("loaded").as_array(), json::array{"qwen2.5:7b"});
  // "qwen2.5" means "qwen2.5:latest", which this Ollama does not have.
  EXPECT_TRUE(eventually(gw.port, "untagged#1", [](const json::object& b) {
    return b.contains("drift") && b.at("drift").as_bool();
  }));
  EXPECT_TRUE(is(backend(gw.port, "remote#1"), "active", "unchecked"));
}

TEST(HealthChecks, LlamaCppFreeSlotsAreReported) {
  auto llama = start_sim({"--models", "x", "--slots", "3"});
  auto gw =
      start_gateway("model_list:\n" + deployment("fast", "openai/x", llama.port) + kFastChecks);
  ASSERT_TRUE(eventually(gw.port, "fast#1", [](const json::object& b) {
    return b.contains("free_slots") && b.at("free_slots") == 3;
  })) << http_request(gw.port, "GET", "/admin/backends").body;
}

TEST(HealthChecks, ShutdownWithAProbeInFlightIsClean) {
  // A stopped backend accepts the probe's connection and never answers: the probe is in
  // flight when SIGTERM comes. The gateway must end it, not leave it to a dying io_context.
  auto hung = start_sim({"--models", "x"});
  auto gw = start_gateway("model_list:\n" + deployment("fast", "openai/x", hung.port) +
                          "fleetgate:\n  health_checks: {interval: 100ms, timeout: 5s}\n");
  ::kill(hung.process->pid(), SIGSTOP);
  std::this_thread::sleep_for(300ms);  // the next probe starts and hangs
  const auto t0 = std::chrono::steady_clock::now();
  EXPECT_EQ(gw.process->stop(SIGTERM, 10s), 0) << gw.process->output();
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 3s);  // not the probe's 5 s timeout
  ::kill(hung.process->pid(), SIGCONT);
}

}  // namespace fleetgate::test
