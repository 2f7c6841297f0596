// `fleetgate agent` against a real `fleetgate serve`.
#include "support/eventually.h"
#include "support/fleet.h"
#include "support/http_client.h"
#include "support/webhook_receiver.h"

#include <gtest/gtest.h>

#include <csignal>
#include <regex>
#include <thread>

namespace fleetgate::test {
namespace {

using namespace std::chrono_literals;

TEST(Agent, HeartbeatsReachTheServerAndSurviveAnOutage) {
  const auto port = reserve_port();
  const std::string config = write_config(
      "model_list: []\nfleet:\n  token: fleet-token-123\n"
      "agent:\n  node: test-node\n  server: http://127.0.0.1:" +
      std::to_string(port) + "\n  period: 1s\n  mounts: [/]\n");
  // The control plane is not there yet: the agent keeps going and says so once.
  ChildProcess agent({FLEETGATE_BINARY, "agent", "--config", config});
  ASSERT_TRUE(agent.wait_for("heartbeat to http://127.0.0.1:\\d+ failed", 5s)) << agent.output();
  ChildProcess serve({FLEETGATE_BINARY, "serve", "--config", config, "--listen",
                      "127.0.0.1:" + std::to_string(port), "--threads", "1", "--data",
                      config + ".db"});
  ASSERT_TRUE(serve.wait_for("fleetgate listening", 10s)) << serve.output();
  ASSERT_TRUE(agent.wait_for("heartbeats to http://127.0.0.1:\\d+ flow again", 5s))
      << agent.output();
  auto st = http_request(port, "GET", "/fleet/v1/status", "",
                         {{"authorization", "Bearer fleet-token-123"}});
  ASSERT_EQ(st.status, 200);
  EXPECT_NE(st.body.find("\"kind\":\"node\",\"name\":\"test-node\",\"state\":\"up\""),
            std::string::npos)
      << st.body;
  auto m = http_request(port, "GET", "/metrics");
  EXPECT_NE(m.body.find("fleetgate_subject_up{kind=\"node\",name=\"test-node\"} 1"),
            std::string::npos);
  EXPECT_EQ(agent.stop(SIGTERM, 5s), 0);
  EXPECT_NE(agent.output().find("agent stopped"), std::string::npos);
}

int pid_from(const std::string& text, const std::string& pattern) {
  std::smatch m;
  if (!std::regex_search(text, m, std::regex(pattern))) return -1;
  return std::stoi(m[1]);
}

TEST(Agent, SupervisedProcessKilledIsRestartedAndCountedAsAutomatic) {
  const auto port = reserve_port();
  const auto sim_port = reserve_port();
  const std::string config = write_config(
      "model_list: []\nfleet:\n  token: fleet-token-123\n"
      "agent:\n  node: box\n  server: http://127.0.0.1:" +
      std::to_string(port) + "\n  period: 1s\n  mounts: [/]\n  log_dir: " + ::testing::TempDir() +
      "agent-logs\n  processes:\n" +
      "    - name: fast\n      command: [" FLEETGATE_BINARY ", sim, --listen, 127.0.0.1:" +
      std::to_string(sim_port) + ", --models, m]\n      backoff_initial: 200ms\n" +
      "    - name: crashy\n      command: [sh, -c, 'exit 3']\n      backoff_initial: 100ms\n" +
      "      max_failures: 3\n");
  ChildProcess serve({FLEETGATE_BINARY, "serve", "--config", config, "--listen",
                      "127.0.0.1:" + std::to_string(port), "--threads", "1", "--data",
                      config + ".db"});
  ASSERT_TRUE(serve.wait_for("fleetgate listening", 10s)) << serve.output();
  ChildProcess agent({FLEETGATE_BINARY, "agent", "--config", config});
  ASSERT_TRUE(agent.wait_for("process fast started \\(pid (\\d+)\\)", 5s)) << agent.output();
  const int first = pid_from(agent.output(), "process fast started \\(pid (\\d+)\\)");
  ASSERT_GT(first, 0);
  const std::map<std::string, std::string> auth = {{"authorization", "Bearer fleet-token-123"}};
  auto status_json = [&] { return http_request(port, "GET", "/fleet/v1/status", "", auth).body; };
  // The sim serves, and a heartbeat has told the server it runs; then it is killed.
  ASSERT_TRUE(eventually([&] { return http_request(sim_port, "GET", "/health").status == 200; }));
  ASSERT_TRUE(eventually([&] {
    return status_json().find("\"name\":\"box/fast\",\"state\":\"up\"") != std::string::npos;
  })) << status_json();
  const auto killed = std::chrono::steady_clock::now();
  ASSERT_EQ(::kill(first, SIGKILL), 0);
  auto again = agent.wait_for("process fast started \\(pid (\\d+), restart 1\\)", 5s);
  ASSERT_TRUE(again) << agent.output();
  EXPECT_TRUE(eventually([&] { return http_request(sim_port, "GET", "/health").status == 200; }));
  EXPECT_LT(std::chrono::steady_clock::now() - killed, 3s);
  // The crash loop gives up (fatal) and the control plane raises ProcessDown.
  ASSERT_TRUE(agent.wait_for("process crashy ended: exit status 3; now fatal", 10s))
      << agent.output();
  std::string st;
  bool respawned = false, fatal_alert = false;
  EXPECT_TRUE(eventually([&] {
    st = status_json();
    respawned = st.find("\"name\":\"box/fast\",\"state\":\"up\"") != std::string::npos &&
                st.find("respawned by the agent (restart 1)") != std::string::npos;
    fatal_alert = st.find("\"alertname\":\"ProcessDown\",\"subject\":\"process/box/crashy\"") !=
                  std::string::npos;
    return respawned && fatal_alert;
  }));
  EXPECT_TRUE(respawned) << st;
  EXPECT_TRUE(fatal_alert) << st;
  // Stopping the agent leaves nothing behind.
  const int second = std::stoi(*again);
  EXPECT_EQ(agent.stop(SIGTERM, 15s), 0) << agent.output();
  EXPECT_NE(::kill(second, 0), 0);
  EXPECT_NE(http_request(sim_port, "GET", "/health", "", {}, 500ms).status, 200);
}

TEST(Agent, BadConfigExitsTwo) {
  ChildProcess agent({FLEETGATE_BINARY, "agent", "--config",
                      write_config("agent:\n  period: 10ms\n  colour: blue\n")});
  EXPECT_EQ(agent.wait_exit(10s), 2);
  EXPECT_NE(agent.output().find(":2: agent.period: must be at least 1s"), std::string::npos)
      << agent.output();
  EXPECT_NE(agent.output().find(":3: agent.colour: unknown key"), std::string::npos);
}

}  // namespace
}  // namespace fleetgate::test
