// `fleetgate agent` against a real `fleetgate serve`.
#include "support/fleet.h"
#include "support/http_client.h"
#include "support/webhook_receiver.h"

#include <gtest/gtest.h>

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
