// Hot reload: SIGHUP and POST /admin/reload swap in a new config; requests already running
// finish on the old one; a broken config is refused and the running one stays.
#include "support/child_process.h"
#include "support/fleet.h"
#include "support/http_client.h"

#include <gtest/gtest.h>
#include <boost/json.hpp>

#include <csignal>
#include <fstream>
#include <future>

namespace fleetgate::test {
namespace {

namespace json = boost::json;

std::string chat(const std::string& model) {
  return R"({"model":")" + model + R"(","messages":[{"role":"user","content":"hi"}]})";
}

}  // namespace

TEST(HotReload, SwapsConfigsKeepsInFlightRequestsAndRefusesBrokenOnes) {
  auto slow = start_sim({"--models", "x", "--ttft", "1s"});
  auto other = start_sim({"--models", "y"});
  const std::string path = write_config("model_list:\n" + deployment("old", "openai/x", slow.port) +
                                        "general_settings: {master_key: sk-r}\n");
  auto gw = start_gateway_from(path);
  const std::map<std::string, std::string> auth{{"authorization", "Bearer sk-r"}};

  // A request is running on the old config while the new one comes in by SIGHUP.
  auto in_flight = std::async(std::launch::async, [&] {
    return http_request(gw.port, "POST", "/v1/chat/completions", chat("old"), auth);
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  std::ofstream(path) << "model_list:\n" + deployment("new", "openai/y", other.port) +
                             "general_settings: {master_key: sk-r}\n";
  ::kill(gw.process->pid(), SIGHUP);
  ASSERT_TRUE(gw.process->wait_for("config reloaded: 1 deployments, 1 models"))
      << gw.process->output();
  EXPECT_EQ(in_flight.get().status, 200);  // finished on the config it started with
  EXPECT_EQ(http_request(gw.port, "POST", "/v1/chat/completions", chat("new"), auth).status, 200);
  EXPECT_EQ(http_request(gw.port, "POST", "/v1/chat/completions", chat("old"), auth).status, 404);

  // A broken file is refused with its file:line: key: problem, and the running config stays.
  std::ofstream(path)
      << "model_list:\n  - model_name: new\n    litellm_params: {model: openai/y, rpm: lots}\n";
  EXPECT_EQ(http_request(gw.port, "POST", "/admin/reload", "{}").status, 401);
  EXPECT_EQ(http_request(gw.port, "GET", "/admin/reload", "", auth).status, 405);
  EXPECT_EQ(http_request(gw.port, "POST", "/admin/backends", "{}", auth).status, 405);
  auto refused = http_request(gw.port, "POST", "/admin/reload", "{}", auth);
  EXPECT_EQ(refused.status, 400) << refused.body;
  EXPECT_NE(json::parse(refused.body)
                .at("error")
                .at("message")
                .as_string()
                .find(path + ":3: model_list[0].litellm_params.rpm"),
            std::string::npos)
      << refused.body;
  EXPECT_EQ(http_request(gw.port, "POST", "/v1/chat/completions", chat("new"), auth).status, 200);

  // Fixed again: POST /admin/reload applies it.
  std::ofstream(path) << "model_list:\n" + deployment("new", "openai/y", other.port) +
                             deployment("again", "openai/x", slow.port) +
                             "general_settings: {master_key: sk-r}\n";
  auto ok = http_request(gw.port, "POST", "/admin/reload", "{}", auth);
  EXPECT_EQ(ok.status, 200) << ok.body;
  EXPECT_EQ(json::parse(ok.body).at("status"), "reloaded");
  auto models = json::parse(http_request(gw.port, "GET", "/v1/models", "", auth).body);
  EXPECT_EQ(models.at("data").as_array().size(), 2u);
  EXPECT_EQ(json::parse(ok.body).at("summary"), "2 deployments, 2 models");

  // Settings only a restart applies: the reload keeps the running values and names them.
  std::ofstream(path) << "model_list:\n" + deployment("new", "openai/y", other.port) +
                             "general_settings: {master_key: sk-r}\n"
                             "fleetgate: {max_request_body: 1KiB, max_connections: 7,\n"
                             "            timeouts: {keepalive: 5s, connect: 2s}}\n"
                             "fleet: {checks: [{name: nightly, period: 1d}]}\n";
  auto kept = http_request(gw.port, "POST", "/admin/reload", "{}", auth);
  ASSERT_EQ(kept.status, 200) << kept.body;
  EXPECT_EQ(json::parse(kept.body).at("summary"),
            "1 deployments, 1 models; changed but kept until a restart: "
            "fleetgate.max_request_body, fleetgate.max_connections, "
            "fleetgate.timeouts.keepalive, fleet");
  // The running body limit (32 MiB) still holds: a 4 KiB request is not refused as too large.
  const std::string big = R"({"model":"new","messages":[{"role":"user","content":")" +
                          std::string(4096, 'a') + R"("}]})";
  EXPECT_EQ(http_request(gw.port, "POST", "/v1/chat/completions", big, auth).status, 200);
}

}  // namespace fleetgate::test
