// Active health: fall after `fall` bad probes in a row, rise after `rise` good ones.
#include "health/active_health.h"

#include <gtest/gtest.h>

namespace fleetgate {
namespace {

using namespace std::chrono_literals;

const CoarseClock::time_point t0 = CoarseClock::time_point(std::chrono::hours(5));

TEST(ActiveHealth, FallsAfterFallBadProbesInARowAndRisesAfterRise) {
  ActiveHealth h(2, 3);
  EXPECT_TRUE(h.up());
  EXPECT_FALSE(h.record(false, t0));
  EXPECT_FALSE(h.record(false, t0 + 1s));
  EXPECT_FALSE(h.record(true, t0 + 2s));  // one good probe resets the streak
  EXPECT_FALSE(h.record(false, t0 + 3s));
  EXPECT_FALSE(h.record(false, t0 + 4s));
  EXPECT_TRUE(h.record(false, t0 + 5s));
  EXPECT_FALSE(h.up());
  EXPECT_EQ(h.since(), t0 + 5s);
  EXPECT_FALSE(h.record(true, t0 + 6s));
  EXPECT_FALSE(h.record(false, t0 + 7s));
  EXPECT_FALSE(h.record(true, t0 + 8s));
  EXPECT_TRUE(h.record(true, t0 + 9s));
  EXPECT_TRUE(h.up());
}

}  // namespace
}  // namespace fleetgate
