// The security review's attacks, each performed against a real `fleetgate serve` on loopback:
// regexes in silences, names that are not names, stale and borrowed tokens.
#include "support/child_process.h"
#include "support/fleet.h"
#include "support/http_client.h"
#include "support/webhook_receiver.h"

#include <gtest/gtest.h>
#include <boost/json.hpp>

#include <csignal>
#include <fstream>
#include <thread>

namespace fleetgate::test {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

std::map<std::string, std::string> bearer(const std::string& token) {
  return {{"authorization", "Bearer " + token}, {"content-type", "application/json"}};
}

std::string silence(const std::string& name, const std::string& pattern) {
  return R"({"matchers":[{"name":")" + name + R"(","value":")" + pattern +
         R"(","isRegex":true,"isEqual":true}],"endsAt":"2099-01-01T00:00:00Z","createdBy":"t"})";
}

}  // namespace

// std::regex recursed once per character of a long label (a crash), backtracked for seconds
// on (a|aa)*c, and the stored silence crashed every restart. RE2 is linear; bad patterns are
// refused; a restart with the silences stored comes up.
TEST(Hostile, SilenceRegexesCannotStallOrCrashTheServer) {
  WebhookReceiver receiver;
  const std::string long_check(100, 'a');  // the longest name a check may have
  const std::string path = write_config(
      "model_list: []\nfleet:\n  auto_create_checks: true\n  checks:\n    - {name: " + long_check +
      ", period: 1s, grace: 1s}\n  alerts:\n    receivers:\n      - name: hook\n"
      "        webhook: http://127.0.0.1:" +
      std::to_string(receiver.port()) + "/hook\n");
  const std::string data = path + ".db";
  {
    auto gw = start_gateway_from(path, data);
    for (const char* p : {"(a|aa)*c", "(a+)+$", "(.*a){20}", "(x+x+)+y"})
      EXPECT_EQ(http_request(gw.port, "POST", "/fleet/v1/silences", silence("check", p)).status,
                200)
          << p;
    const auto bad = http_request(gw.port, "POST", "/fleet/v1/silences", silence("check", "(a"));
    EXPECT_EQ(bad.status, 400);
    EXPECT_NE(bad.body.find("bad regex"), std::string::npos) << bad.body;
    EXPECT_EQ(http_request(gw.port, "POST", "/fleet/v1/silences",
                           silence("check", std::string(2000, 'a')))
                  .status,
              400);
    // The check goes down: its alert is matched against every silence, and nothing stalls.
    ASSERT_EQ(http_request(gw.port, "GET", "/ping/" + long_check).status, 200);
    std::this_thread::sleep_for(2500ms);
    for (int i = 0; i < 20; ++i) {
      const auto started = Clock::now();
      EXPECT_EQ(http_request(gw.port, "GET", "/health/liveliness").status, 200);
      EXPECT_EQ(http_request(gw.port, "GET", "/ping/" + long_check).status, 200);
      EXPECT_LT(Clock::now() - started, 200ms);
    }
    EXPECT_TRUE(gw.process->stop(SIGTERM).has_value());
  }
  // The same store again: every silence comes back, the server serves.
  auto again = start_gateway_from(path, data);
  const auto stored = json::parse(http_request(again.port, "GET", "/fleet/v1/silences").body);
  EXPECT_EQ(stored.as_array().size(), 4u) << stored;
  EXPECT_EQ(http_request(again.port, "GET", "/health/liveliness").status, 200);
}

// One ping with invalid UTF-8 (and terminal escapes) in its name was auto-created, broke
// `fleetgate status` for good and every later notification to a strict receiver. Names are
// slugs now: anything else is "not found", and nothing of it is stored.
TEST(Hostile, ANameThatIsNoSlugIsNeverAutoCreated) {
  auto gw = start_gateway("model_list: []\nfleet:\n  auto_create_checks: true\n");
  for (const char* name : {"bad%FFname", "x%1B%5B2J", "Upper", "a%2Fb", "%C3%A9t%C3%A9"})
    EXPECT_EQ(http_request(gw.port, "GET", std::string("/ping/") + name).status, 404) << name;
  // Raw bytes in the request line are refused before the name is even looked at.
  EXPECT_EQ(raw_exchange(gw.port, "GET /ping/bad\xff\x1b[2Jname HTTP/1.1\r\nHost: x\r\n\r\n")
                .substr(0, 12),
            "HTTP/1.1 400");
  EXPECT_EQ(http_request(gw.port, "GET", "/ping/good-name").status, 201);
  std::string out;
  EXPECT_EQ(run({"status", "--url", "http://127.0.0.1:" + std::to_string(gw.port)}, &out), 0)
      << out;
  EXPECT_NE(out.find("good-name"), std::string::npos) << out;
  const auto status = json::parse(http_request(gw.port, "GET", "/fleet/v1/status").body);
  EXPECT_EQ(status.at("subjects").as_array().size(), 1u) << status;
}

// Rotating the master key by reload left the old key valid on /fleet/v1/*.
TEST(Hostile, ARotatedKeyStopsWorkingAtTheReload) {
  const std::string path =
      write_config("model_list: []\ngeneral_settings: {master_key: sk-old-key-1}\n");
  auto gw = start_gateway_from(path);
  EXPECT_EQ(http_request(gw.port, "GET", "/fleet/v1/status", "", bearer("sk-old-key-1")).status,
            200);
  std::ofstream(path) << "model_list: []\ngeneral_settings: {master_key: sk-new-key-2}\n";
  ::kill(gw.process->pid(), SIGHUP);
  ASSERT_TRUE(gw.process->wait_for("config reloaded")) << gw.process->output();
  EXPECT_EQ(http_request(gw.port, "GET", "/fleet/v1/status", "", bearer("sk-old-key-1")).status,
            401);
  EXPECT_EQ(http_request(gw.port, "GET", "/fleet/v1/status", "", bearer("sk-new-key-2")).status,
            200);
}

// One token for every node let any node report for another and take its commands.
TEST(Hostile, ANodesTokenIsForThatNodeAlone) {
  auto gw = start_gateway(
      "model_list: []\nfleet:\n  token: fleet-token-123\n  nodes:\n"
      "    - {name: gpu1, token: gpu1-token-abc}\n    - {name: gpu2, token: gpu2-token-def}\n");
  auto heartbeat = [](const std::string& node) {
    return R"({"node":")" + node + R"(","uptime_s":1,"period_s":30})";
  };
  const auto gpu1 = bearer("gpu1-token-abc");
  EXPECT_EQ(http_request(gw.port, "POST", "/fleet/v1/heartbeat", heartbeat("gpu1"), gpu1).status,
            200);
  EXPECT_EQ(http_request(gw.port, "POST", "/fleet/v1/heartbeat", heartbeat("gpu2"), gpu1).status,
            403);
  EXPECT_EQ(
      http_request(gw.port, "GET", "/fleet/v1/agents/gpu1/commands?wait_ms=0", "", gpu1).status,
      200);
  EXPECT_EQ(
      http_request(gw.port, "GET", "/fleet/v1/agents/gpu2/commands?wait_ms=0", "", gpu1).status,
      403);
  // Not the fleet's other endpoints.
  EXPECT_EQ(http_request(gw.port, "GET", "/fleet/v1/status", "", gpu1).status, 403);
  EXPECT_EQ(
      http_request(gw.port, "POST", "/fleet/v1/agents/gpu2/processes/vllm/stop", "{}", gpu1).status,
      403);
  EXPECT_EQ(
      http_request(gw.port, "POST", "/fleet/v1/silences", silence("node", "gpu2"), gpu1).status,
      403);
  // The fleet token may do it all; a wrong one nothing.
  const auto fleet = bearer("fleet-token-123");
  EXPECT_EQ(http_request(gw.port, "POST", "/fleet/v1/heartbeat", heartbeat("gpu2"), fleet).status,
            200);
  EXPECT_EQ(http_request(gw.port, "GET", "/fleet/v1/status", "", bearer("gpu1-token-abd")).status,
            401);
}

}  // namespace fleetgate::test
