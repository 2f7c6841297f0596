// A node agent's heartbeat as the server parses it: bad bodies and out-of-range numbers.
#include "fleet/heartbeat.h"

#include <gtest/gtest.h>

#include <limits>

namespace fleetgate {
namespace {

TEST(Heartbeat, BadBodiesSayWhatIsWrong) {
  auto error = [](const char* body) {
    auto r = parse_heartbeat(body);
    return r ? std::string("accepted") : r.error().message;
  };
  EXPECT_EQ(error("[]"), "The heartbeat must be a JSON object.");
  EXPECT_EQ(error(R"({"cpu":{"cores":4}})"), "Bad heartbeat: 'node' is required.");
  EXPECT_EQ(error(R"({"node":"a","cpu":1})"), "Bad heartbeat: 'cpu' must be an object.");
  EXPECT_EQ(error(R"({"node":"a","disks":[{"mount":"/","used_bytes":"lots"}]})"),
            "Bad heartbeat: 'used_bytes' must be a number or null.");
  EXPECT_EQ(error(R"({"node":"a","uptime_s":null})"), "accepted");
  EXPECT_EQ(error(R"({"node":"a b"})"),
            "Bad heartbeat: 'node' must be 1 to 100 letters, digits, '-', '_' or '.'.");
  EXPECT_NE(error(R"({"node":"a","processes":[{"name":"BAD\u001b"}]})").find("a slug"),
            std::string::npos);
}

// Numbers no integer holds (a pid of 1e30, a restart count of 1e300) were cast anyway:
// undefined behaviour. Now they are left out or bounded.
TEST(Heartbeat, NumbersOutOfRangeAreNotCast) {
  auto hb = parse_heartbeat(
      R"({"node":"a","gpus":[{"index":1e40,"name":"g"}],"processes":[{"name":"p","state":"running",)"
      R"("pid":-1e30,"restarts":1e300,"exit_status":1e20}],"actions":[{"process":"p","action":"restart","at_ms":-5}]})");
  ASSERT_TRUE(hb) << hb.error().message;
  EXPECT_FALSE(hb->processes[0].pid);
  EXPECT_FALSE(hb->processes[0].exit_status);
  EXPECT_EQ(hb->processes[0].restarts, std::numeric_limits<long long>::max());
  EXPECT_EQ(hb->gpus[0].id, "g");
  EXPECT_EQ(hb->actions[0].at_ms, 0);
}

}  // namespace
}  // namespace fleetgate
