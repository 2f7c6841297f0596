#include "agent/supervision_policy.h"

#include <gtest/gtest.h>

namespace fleetgate {
namespace {

using namespace std::chrono_literals;
using S = ProcessState;

TEST(SupervisionPolicy, AStarterStopsTheOthersOfItsGroupThatLiveOrWaitToRestart) {
  const std::vector<MemberView> m = {
      {"gpu", false, S::Stopped},  // the starter
      {"gpu", true, S::Running},   // must stop
      {"gpu", false, S::Backoff},  // would restart by itself: must stop too
      {"gpu", false, S::Exited},   // nothing to stop
      {"cpu", true, S::Running},   // another group
      {"", true, S::Running},      // no group
  };
  EXPECT_EQ(must_stop_first(m, 0), (std::vector<std::size_t>{1, 2}));
  EXPECT_TRUE(must_stop_first(m, 5).empty());  // no group, no one to stop
  EXPECT_TRUE(must_stop_first(m, 4).empty());  // alone in its group
}

TEST(SupervisionPolicy, AWaitingMemberStartsOnceNoOtherOfItsGroupIsAlive) {
  std::vector<MemberView> m = {
      {"gpu", false, S::Stopped}, {"gpu", true, S::Stopping}, {"cpu", true, S::Running}};
  EXPECT_FALSE(group_is_clear(m, 0));
  m[1] = {"gpu", false, S::Stopped};
  EXPECT_TRUE(group_is_clear(m, 0));  // the other group's process does not count
}

TEST(SupervisionPolicy, AnIdleOnDemandProcessStopsAfterItsIdleTimeOnly) {
  const AgentTime used = AgentTime(1000s);
  const auto idle = std::optional<Duration>(10min);
  EXPECT_FALSE(idle_stop_due(idle, S::Running, false, used, used + 10min - 1s));
  EXPECT_TRUE(idle_stop_due(idle, S::Running, false, used, used + 10min));
  EXPECT_FALSE(idle_stop_due(idle, S::Running, true, used, used + 1h));    // an action under way
  EXPECT_FALSE(idle_stop_due(idle, S::Starting, false, used, used + 1h));  // not up yet
  EXPECT_FALSE(idle_stop_due(std::nullopt, S::Running, false, used, used + 24h));  // never
}

}  // namespace
}  // namespace fleetgate
