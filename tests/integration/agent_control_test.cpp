// The agent with the control plane: on-demand backends, idle stop, exclusive groups, the
// control API, liveness probes, check actions, outages, and an agent killed outright.
#include "support/eventually.h"
#include "support/fleet.h"
#include "support/http_client.h"
#include "support/webhook_receiver.h"

#include <gtest/gtest.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

namespace fleetgate::test {
namespace {

using namespace std::chrono_literals;

const std::map<std::string, std::string> kAuth = {{"authorization", "Bearer tok-12345"}};

std::string sim_command(std::uint16_t port) {
  return "[" FLEETGATE_BINARY ", sim, --listen, 127.0.0.1:" + std::to_string(port) +
         ", --models, m]";
}

std::string agent_section(std::uint16_t server, const std::string& dir,
                          const std::string& processes) {
  return "agent:\n  node: box\n  server: http://127.0.0.1:" + std::to_string(server) +
         "\n  period: 1s\n  mounts: [/]\n  log_dir: " + dir + "\n  processes:\n" + processes;
}

std::string fresh_dir(const std::string& name) {
  const std::string dir = ::testing::TempDir() + name + std::to_string(::getpid());
  std::filesystem::remove_all(dir);
  return dir;
}

bool serving(std::uint16_t port) {
  return http_request(port, "GET", "/health", "", {}, 500ms).status == 200;
}

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

struct Fleet {
  std::uint16_t port = reserve_port();
  std::string config;
  std::unique_ptr<ChildProcess> serve;
  std::unique_ptr<ChildProcess> agent;

  void start(const std::string& text, bool with_agent = true) {
    config = write_config(text);
    serve = std::make_unique<ChildProcess>(std::vector<std::string>{
        FLEETGATE_BINARY, "serve", "--config", config, "--listen",
        "127.0.0.1:" + std::to_string(port), "--threads", "2", "--data", config + ".db"});
    ASSERT_TRUE(serve->wait_for("fleetgate listening", 10s)) << serve->output();
    if (!with_agent) return;
    agent = std::make_unique<ChildProcess>(
        std::vector<std::string>{FLEETGATE_BINARY, "agent", "--config", config});
    // Connected: its first heartbeat made the node UP.
    ASSERT_TRUE(eventually(
        [&] {
          return http_request(port, "GET", "/fleet/v1/status", "", kAuth)
                     .body.find("\"kind\":\"node\",\"name\":\"box\",\"state\":\"up\"") !=
                 std::string::npos;
        },
        10s))
        << agent->output();
  }
  std::string report_json() {
    ChildProcess report({FLEETGATE_BINARY, "report", "--json", "--data", config + ".db"});
    report.wait_exit(10s);
    return report.output();
  }
};

std::string chat(const std::string& model) {
  return R"({"model":")" + model + R"(","messages":[{"role":"user","content":"hi"}]})";
}

TEST(AgentControl, OnDemandBackendStartsForTheFirstRequestAndStopsWhenIdle) {
  const auto sim = reserve_port();
  Fleet f;
  f.start(
      "model_list:\n  - model_name: big\n    litellm_params: {model: openai/m, api_base: "
      "http://127.0.0.1:" +
      std::to_string(sim) +
      "/v1}\n    on_demand: {node: box, process: big, ready_timeout: 20s}\n"
      "fleet:\n  token: tok-12345\n" +
      agent_section(f.port, fresh_dir("ondemand"),
                    "    - name: big\n      command: " + sim_command(sim) +
                        "\n      start: on_demand\n      idle_stop_after: 2s\n"
                        "      ready_url: http://127.0.0.1:" +
                        std::to_string(sim) + "/health\n"));
  EXPECT_FALSE(serving(sim));  // asleep until asked
  const auto asked = std::chrono::steady_clock::now();
  auto r = http_request(f.port, "POST", "/v1/chat/completions", chat("big"),
                        {{"content-type", "application/json"}}, 30s);
  EXPECT_EQ(r.status, 200) << r.body << f.serve->output() << f.agent->output();
  EXPECT_NE(r.headers["x-fleetgate-deployment"].find("big"), std::string::npos);
  EXPECT_LT(std::chrono::steady_clock::now() - asked, 10s);
  EXPECT_TRUE(f.agent->wait_for("process big ready", 1s));
  // A second request goes straight through while it runs.
  EXPECT_EQ(http_request(f.port, "POST", "/v1/chat/completions", chat("big"),
                         {{"content-type", "application/json"}}, 10s)
                .status,
            200);
  // Then nobody asks for 2 s: the agent stops it.
  ASSERT_TRUE(f.agent->wait_for("process big: stop \\(idle for 2s\\)", 15s)) << f.agent->output();
  EXPECT_TRUE(eventually([&] { return !serving(sim); }, 5s));
  // Both actions are on record (the report reads the store).
  std::string report;
  EXPECT_TRUE(eventually(
      [&] {
        report = f.report_json();
        return report.find("\"action\":\"stop\",\"reason\":\"idle for 2s\"") != std::string::npos;
      },
      10s))
      << report;
  EXPECT_NE(report.find("\"action\":\"start\",\"reason\":\"a request for big\""), std::string::npos)
      << report;
  // And it wakes again for the next request.
  EXPECT_EQ(http_request(f.port, "POST", "/v1/chat/completions", chat("big"),
                         {{"content-type", "application/json"}}, 30s)
                .status,
            200);
}

TEST(AgentControl, OnDemandWithoutItsAgentIsAClear503) {
  Fleet f;
  f.start(
      "model_list:\n  - model_name: big\n    litellm_params: {model: openai/m, api_base: "
      "http://127.0.0.1:9/v1}\n    on_demand: {node: gpu9, process: big}\nfleet:\n  token: "
      "tok-12345\n",
      false);
  auto r = http_request(f.port, "POST", "/v1/chat/completions", chat("big"),
                        {{"content-type", "application/json"}}, 10s);
  EXPECT_EQ(r.status, 503);
  EXPECT_NE(r.body.find("node 'gpu9'"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("agent is not connected"), std::string::npos) << r.body;
}

TEST(AgentControl, OnDemandProcessTheAgentDoesNotHaveIsAClear503) {
  Fleet f;
  f.start(
      "model_list:\n  - model_name: big\n    litellm_params: {model: openai/m, api_base: "
      "http://127.0.0.1:9/v1}\n    on_demand: {node: box, process: nope}\n"
      "fleet:\n  token: tok-12345\n" +
      agent_section(f.port, fresh_dir("nope"), "    - {name: other, command: [sleep, '600']}\n"));
  const auto asked = std::chrono::steady_clock::now();
  auto r = http_request(f.port, "POST", "/v1/chat/completions", chat("big"),
                        {{"content-type", "application/json"}}, 30s);
  EXPECT_EQ(r.status, 503);
  EXPECT_NE(r.body.find("has no such process"), std::string::npos) << r.body;
  EXPECT_LT(std::chrono::steady_clock::now() - asked, 5s);  // not the 2-minute ready_timeout
}

TEST(AgentControl, ControlApiStartsStopsAndRestartsAndGroupsAreExclusive) {
  const auto a = reserve_port();
  const auto b = reserve_port();
  Fleet f;
  const std::string member = "\n      start: on_demand\n      exclusive: gpu0\n";
  f.start("model_list: []\nfleet:\n  token: tok-12345\n" +
          agent_section(f.port, fresh_dir("exclusive"),
                        "    - name: a\n      command: " + sim_command(a) + member +
                            "    - name: b\n      command: " + sim_command(b) + member));
  auto post = [&](const std::string& path) {
    return http_request(f.port, "POST", "/fleet/v1/agents/box/processes/" + path, "", kAuth);
  };
  auto started = post("a/start");
  EXPECT_EQ(started.status, 202) << started.body;
  EXPECT_NE(started.body.find("\"agent_connected\":true"), std::string::npos) << started.body;
  ASSERT_TRUE(eventually([&] { return serving(a); }, 10s)) << f.agent->output();
  // Starting b stops a first (one GPU).
  EXPECT_EQ(post("b/start").status, 202);
  ASSERT_TRUE(eventually([&] { return serving(b); }, 10s)) << f.agent->output();
  EXPECT_FALSE(serving(a));
  EXPECT_TRUE(f.agent->wait_for("process a: stop \\(exclusive group gpu0: b starts\\)", 1s));
  // The CLI does the same through the same API.
  ChildProcess cli({FLEETGATE_BINARY, "process", "restart", "box/b", "--url",
                    "http://127.0.0.1:" + std::to_string(f.port), "--token", "tok-12345"});
  EXPECT_EQ(cli.wait_exit(10s), 0) << cli.output();
  EXPECT_TRUE(f.agent->wait_for("process b started \\(pid \\d+, restart 1\\)", 10s))
      << f.agent->output();
  EXPECT_EQ(post("b/stop").status, 202);
  EXPECT_TRUE(eventually([&] { return !serving(b); }, 10s));
  // Errors: an unknown action, a wrong method, no token.
  EXPECT_EQ(post("b/explode").status, 400);
  EXPECT_EQ(http_request(f.port, "GET", "/fleet/v1/agents/box/processes/b/start", "", kAuth).status,
            405);
  EXPECT_EQ(http_request(f.port, "POST", "/fleet/v1/agents/box/processes/b/start").status, 401);
  ChildProcess bad({FLEETGATE_BINARY, "process", "restart", "no-slash", "--url",
                    "http://127.0.0.1:" + std::to_string(f.port)});
  EXPECT_EQ(bad.wait_exit(10s), 2);
}

TEST(AgentControl, FailedLivenessRestartsAndPutsBackTheKnownGoodConfig) {
  Sim probe = start_sim();  // what the liveness URL asks; killed to make the probe fail
  const std::string dir = fresh_dir("liveness");
  std::filesystem::create_directories(dir);
  const std::string conf = dir + "/worker.conf";
  std::ofstream(conf) << "good\n";
  Fleet f;
  f.start("model_list: []\nfleet:\n  token: tok-12345\n" +
          agent_section(f.port, dir,
                        "    - name: worker\n      command: [sleep, '600']\n"
                        "      stable_after: 300ms\n      liveness_url: http://127.0.0.1:" +
                            std::to_string(probe.port) +
                            "/health\n      liveness_period: 200ms\n      liveness_failures: 2\n"
                            "      config_file: " +
                            conf + "\n      restore_config: true\n"));
  ASSERT_TRUE(f.agent->wait_for("known-good copy of .*worker.conf kept", 10s)) << f.agent->output();
  std::ofstream(conf, std::ios::trunc) << "broken by a bad deploy\n";
  probe.process->stop(SIGKILL);
  ASSERT_TRUE(f.agent->wait_for(
      "process worker: restart \\(liveness probe failed 2 times in a row: connecting", 10s))
      << f.agent->output();
  ASSERT_TRUE(f.agent->wait_for(
      "process worker: restart done: config restored from the last known-good copy; running "
      "after",
      10s))
      << f.agent->output();
  EXPECT_EQ(read_text(conf), "good\n");
  std::string report;
  EXPECT_TRUE(eventually(
      [&] {
        report = f.report_json();
        return report.find("\"recovery\":true") != std::string::npos;
      },
      10s))
      << report;
  EXPECT_NE(report.find("liveness probe failed 2 times in a row"), std::string::npos);
}

TEST(AgentControl, AMissedCheckRestartsItsProcessAndItsRecoveryIsAutomatic) {
  Fleet f;
  f.start(
      "model_list: []\nfleet:\n  token: tok-12345\n  checks:\n    - name: loop-alive\n"
      "      period: 1s\n      grace: 1s\n      action: {node: box, restart: loop}\n" +
      agent_section(f.port, fresh_dir("checkaction"),
                    "    - name: loop\n      command: [sleep, '600']\n"));
  ASSERT_TRUE(f.agent->wait_for("process loop started \\(pid \\d+\\)", 5s));
  EXPECT_EQ(http_request(f.port, "GET", "/ping/loop-alive").status, 200);
  // No more pings: the check goes down after 2 s and the agent restarts the loop.
  ASSERT_TRUE(f.agent->wait_for("process loop: restart \\(check loop-alive is down", 10s))
      << f.agent->output() << f.serve->output();
  ASSERT_TRUE(f.agent->wait_for("process loop started \\(pid \\d+, restart 1\\)", 10s));
  EXPECT_EQ(http_request(f.port, "GET", "/ping/loop-alive").status, 200);
  std::string report;
  EXPECT_TRUE(eventually(
      [&] {
        report = f.report_json();
        return report.find("\"kind\":\"check\",\"name\":\"loop-alive\",\"at\"") !=
               std::string::npos;
      },
      10s))
      << report;
  std::smatch m;
  ASSERT_TRUE(std::regex_search(
      report, m, std::regex("\\{\"kind\":\"check\",\"name\":\"loop-alive\",\"at\"[^}]*\\}")))
      << report;
  EXPECT_NE(m.str().find("\"automatic\":true"), std::string::npos) << m.str();
  EXPECT_NE(m.str().find("after the restart of box/loop"), std::string::npos) << m.str();
}

TEST(AgentControl, SupervisionGoesOnWhileTheControlPlaneIsAway) {
  const auto sim = reserve_port();
  const auto nobody = reserve_port();
  const std::string config =
      write_config("model_list: []\nfleet:\n  token: tok-12345\n" +
                   agent_section(nobody, fresh_dir("outage"),
                                 "    - name: s\n      command: " + sim_command(sim) +
                                     "\n      backoff_initial: 100ms\n"));
  ChildProcess agent({FLEETGATE_BINARY, "agent", "--config", config});
  ASSERT_TRUE(agent.wait_for("heartbeat to .* failed", 5s)) << agent.output();
  ASSERT_TRUE(eventually([&] { return serving(sim); }, 10s)) << agent.output();
  auto pid = agent.wait_for("process s started \\(pid (\\d+)\\)", 1s);
  ASSERT_TRUE(pid);
  ASSERT_EQ(::kill(std::stoi(*pid), SIGKILL), 0);
  EXPECT_TRUE(agent.wait_for("process s started \\(pid \\d+, restart 1\\)", 5s)) << agent.output();
  EXPECT_TRUE(eventually([&] { return serving(sim); }, 10s));
  EXPECT_EQ(agent.stop(SIGTERM, 15s), 0);
}

TEST(AgentControl, AnAgentKilledOutrightTakesItsChildrenWithIt) {
  const auto sim = reserve_port();
  const std::string config =
      write_config("model_list: []\n" +
                   agent_section(reserve_port(), fresh_dir("pdeathsig"),
                                 "    - name: s\n      command: " + sim_command(sim) + "\n"));
  ChildProcess agent({FLEETGATE_BINARY, "agent", "--config", config});
  auto pid = agent.wait_for("process s started \\(pid (\\d+)\\)", 5s);
  ASSERT_TRUE(pid) << agent.output();
  ASSERT_TRUE(eventually([&] { return serving(sim); }, 10s));
  agent.stop(SIGKILL);
  // PR_SET_PDEATHSIG: the kernel kills the child when the agent goes.
  EXPECT_TRUE(eventually([&] { return ::kill(std::stoi(*pid), 0) != 0; }, 5s));
  EXPECT_FALSE(serving(sim));
}

}  // namespace
}  // namespace fleetgate::test
