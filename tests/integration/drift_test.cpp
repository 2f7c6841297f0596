// Backends as they really behave, with real processes on loopback: a backend that does not list
// its deployment's model keeps its traffic and raises ModelDrift (a llama.cpp server is judged
// by what it has loaded), a backend that refuses the model counts as failing, and an error sent
// inside a stream after its 200 counts as an error.
#include "support/child_process.h"
#include "support/eventually.h"
#include "support/fleet.h"
#include "support/http_client.h"
#include "support/webhook_receiver.h"

#include <gtest/gtest.h>
#include <boost/json.hpp>

#include <csignal>
#include <thread>

namespace fleetgate::test {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

const std::string kChecks =
    "fleetgate:\n  health_checks: {interval: 100ms, timeout: 500ms, rise: 1, fall: 1}\n";

std::string chat(const std::string& model, bool stream = false) {
  return R"({"model":")" + model + R"(","messages":[{"role":"user","content":"hi"}])" +
         (stream ? R"(,"stream":true})" : "}");
}

std::string receiver_section(std::uint16_t port) {
  return "fleet:\n  alerts:\n    retry_max: 1s\n    receivers:\n      - name: hook\n"
         "        webhook: http://127.0.0.1:" +
         std::to_string(port) + "/hook\n";
}

json::object backend(std::uint16_t gw_port, const std::string& id) {
  const json::value all = json::parse(http_request(gw_port, "GET", "/admin/backends").body);
  for (const auto& d : all.at("data").as_array())
    if (d.at("id") == id.c_str()) return d.as_object();
  return {};
}

bool drifted(const json::object& b) {
  const auto* d = b.if_contains("drift");
  return d && d->is_bool() && d->as_bool();
}

// The webhook notifications for `alertname` with `status`, as parsed payloads.
std::vector<json::value> notifications(WebhookReceiver& r, const std::string& alertname,
                                       const std::string& status) {
  std::vector<json::value> out;
  for (const auto& h : r.hits()) {
    auto p = json::parse(h.body);
    if (p.at("status") == status.c_str() &&
        p.at("commonLabels").as_object().if_contains("alertname") &&
        p.at("commonLabels").at("alertname") == alertname.c_str())
      out.push_back(p);
  }
  return out;
}

}  // namespace

TEST(Drift, ADriftedBackendKeepsItsTrafficRaisesModelDriftAndResolvesWhenItListsTheModel) {
  WebhookReceiver receiver;
  // llama.cpp without --alias lists its file, and answers any model name.
  auto llama = start_sim({"--model-path", "/models/llama-3.1-8b-q4.gguf"});
  const std::uint16_t port = llama.port;
  auto gw = start_gateway("model_list:\n" + deployment("fast", "openai/qwen2.5-7b", port) +
                          kChecks + receiver_section(receiver.port()));
  ASSERT_TRUE(eventually([&] { return drifted(backend(gw.port, "fast#1")); }))
      << http_request(gw.port, "GET", "/admin/backends").body;
  const auto b = backend(gw.port, "fast#1");
  EXPECT_EQ(b.at("active"), "up");
  EXPECT_EQ(b.at("routed"), true);  // what it says is what it does
  EXPECT_EQ(b.at("loaded_model"), "/models/llama-3.1-8b-q4.gguf");
  for (int i = 0; i < 10; ++i) {
    auto r = http_request(gw.port, "POST", "/v1/chat/completions", chat("fast"));
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.headers["x-fleetgate-deployment"], "fast#1");
  }
  EXPECT_TRUE(
      gw.process->wait_for("deployment fast#1 drifted: .* does not list model qwen2.5-7b "
                           "\\(it lists: /models/llama-3.1-8b-q4.gguf.*still routed"));
  const std::string metrics = http_request(gw.port, "GET", "/metrics").body;
  EXPECT_NE(metrics.find("fleetgate_backend_drift{model=\"fast\",deployment=\"fast#1\"} 1"),
            std::string::npos)
      << metrics;
  EXPECT_NE(metrics.find("fleetgate_backend_healthy{model=\"fast\",deployment=\"fast#1\"} 1"),
            std::string::npos);
  std::vector<json::value> firing;
  ASSERT_TRUE(eventually([&] {
    firing = notifications(receiver, "ModelDrift", "firing");
    return !firing.empty();
  })) << gw.process->output();
  const auto& labels = firing[0].at("alerts").at(0).at("labels");
  EXPECT_EQ(labels.at("deployment"), "fast#1");
  EXPECT_EQ(labels.at("declared_model"), "qwen2.5-7b");
  EXPECT_EQ(labels.at("listed_models"), "/models/llama-3.1-8b-q4.gguf");
  EXPECT_EQ(labels.at("severity"), "warning");
  std::string status;
  EXPECT_EQ(run({"status", "--url", "http://127.0.0.1:" + std::to_string(gw.port)}, &status), 0);
  EXPECT_NE(status.find("still routed to it"), std::string::npos) << status;
  EXPECT_NE(status.find("ModelDrift"), std::string::npos) << status;

  // The same port now serves a file named for the model: the drift resolves.
  llama.process->stop(SIGKILL);
  auto fixed = start_sim({"--model-path", "/models/Qwen2.5-7B-Instruct-Q4_K_M.gguf", "--listen",
                          "127.0.0.1:" + std::to_string(port)});
  EXPECT_TRUE(eventually([&] {
    return !notifications(receiver, "ModelDrift", "resolved").empty();
  })) << gw.process->output();
  EXPECT_FALSE(drifted(backend(gw.port, "fast#1")));
}

TEST(Drift, ALlamaCppServerIsJudgedByWhatItHasLoadedAndItsAliases) {
  auto by_file = start_sim({"--model-path", "/srv/Qwen2.5-Coder-7B-Instruct-Q5_K_M.gguf"});
  auto by_alias = start_sim({"--model-path", "/srv/x.gguf", "--models", "qwen,qwen-fast"});
  auto gw = start_gateway("model_list:\n" +
                          deployment("coder", "openai/qwen2.5-coder-7b-instruct", by_file.port) +
                          deployment("fast", "openai/qwen-fast", by_alias.port) +
                          deployment("other", "openai/mistral-7b", by_alias.port) + kChecks);
  ASSERT_TRUE(eventually([&] { return drifted(backend(gw.port, "other#1")); }));
  EXPECT_FALSE(drifted(backend(gw.port, "coder#1")));
  EXPECT_FALSE(drifted(backend(gw.port, "fast#1")));
  EXPECT_EQ(backend(gw.port, "fast#1").at("listed"), (json::array{"qwen", "qwen-fast"}));
}

TEST(Drift, OnDriftEjectTakesTheBackendOutAndSaysSo) {
  auto drifting = start_sim({"--model-path", "/models/other.gguf"});
  auto sim = start_sim({"--models", "x"});
  auto gw = start_gateway("model_list:\n" + deployment("fast", "openai/x", drifting.port) +
                          deployment("fast", "openai/x", sim.port) +
                          "fleetgate:\n  health_checks: {interval: 100ms, timeout: 500ms, rise: 1, "
                          "fall: 1, on_drift: eject}\n");
  ASSERT_TRUE(eventually([&] { return drifted(backend(gw.port, "fast#1")); }));
  EXPECT_EQ(backend(gw.port, "fast#1").at("routed"), false);
  EXPECT_TRUE(gw.process->wait_for("deployment fast#1 drifted.*not routed to it"));
  for (int i = 0; i < 10; ++i)
    EXPECT_EQ(http_request(gw.port, "POST", "/v1/chat/completions", chat("fast"))
                  .headers["x-fleetgate-deployment"],
              "fast#2");
}

TEST(Drift, ABackendThatRefusesTheModelCountsAsFailingAndIsRetriedElsewhere) {
  auto refusing = start_sim({"--models", "y"});  // 404: the model `x` does not exist
  auto sim = start_sim({"--models", "x"});
  auto gw = start_gateway("model_list:\n" + deployment("fast", "openai/x", refusing.port) +
                          deployment("fast", "openai/x", sim.port) +
                          "router_settings: {allowed_fails: 0, cooldown_time: 60}\n"
                          "fleetgate:\n  health_checks: {interval: 0}\n");
  for (int i = 0; i < 10; ++i) {
    auto r = http_request(gw.port, "POST", "/v1/chat/completions", chat("fast"));
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.headers["x-fleetgate-deployment"], "fast#2");
  }
  const auto b = backend(gw.port, "fast#1");
  EXPECT_EQ(b.at("state"), "cooling_down");
  EXPECT_EQ(b.at("failures_total"), 1);
  EXPECT_EQ(b.at("routed"), false);
}

TEST(Drift, AnErrorInsideAStreamIsRelayedAndCountsAsAnError) {
  auto openai =
      start_sim({"--models", "x", "--tokens-per-second", "200", "--stream-error-after", "3"});
  auto ollama =
      start_sim({"--models", "q", "--tokens-per-second", "200", "--stream-error-after", "2"});
  auto gw = start_gateway("model_list:\n" + deployment("fast", "openai/x", openai.port) +
                          deployment("local", "ollama_chat/q", ollama.port) +
                          "router_settings: {allowed_fails: 100}\n"
                          "fleetgate:\n  health_checks: {interval: 0}\n");
  auto r = http_request(gw.port, "POST", "/v1/chat/completions", chat("fast", true));
  EXPECT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("sim: generation failed"), std::string::npos) << r.body;  // relayed
  EXPECT_EQ(r.body.find("[DONE]"), std::string::npos);
  EXPECT_TRUE(gw.process->wait_for(
      R"("deployment":"fast#1","status":502,"sent_status":200.*"error":"fast#1 sent an error in its stream: sim: generation failed")"))
      << gw.process->output();
  r = http_request(gw.port, "POST", "/v1/chat/completions", chat("local", true));
  EXPECT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("sim: generation failed"), std::string::npos) << r.body;
  EXPECT_TRUE(gw.process->wait_for(
      R"("deployment":"local#1","status":502,"sent_status":200.*generation failed)"))
      << gw.process->output();
  const std::string metrics = http_request(gw.port, "GET", "/metrics").body;
  EXPECT_NE(
      metrics.find("fleetgate_requests_total{model=\"fast\",deployment=\"fast#1\",code=\"502\"} 1"),
      std::string::npos)
      << metrics;
  EXPECT_EQ(metrics.find("deployment=\"fast#1\",code=\"200\""), std::string::npos) << metrics;
  EXPECT_EQ(backend(gw.port, "fast#1").at("failures_total"), 1);
  EXPECT_EQ(backend(gw.port, "local#1").at("failures_total"), 1);
}

}  // namespace fleetgate::test
