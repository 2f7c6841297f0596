// Uptime shares and streaks over a window of up/down transitions.
#include "fleet/uptime.h"

#include <gtest/gtest.h>

namespace fleetgate {
namespace {

using namespace std::chrono_literals;

const FleetTime day0 = FleetTime(std::chrono::hours(24 * 1000));

TEST(Uptime, ShareOfTheWindowSpentUp) {
  // Up from the start, down for 6 h, up again.
  const std::vector<StateChange> changes{{day0 + 6h, Health::Down}, {day0 + 12h, Health::Up}};
  EXPECT_DOUBLE_EQ(uptime(changes, Health::Up, day0, day0 + 24h), 0.75);
  EXPECT_DOUBLE_EQ(uptime(changes, Health::Up, day0 + 12h, day0 + 24h), 1.0);
  EXPECT_DOUBLE_EQ(uptime(changes, Health::Up, day0 + 6h, day0 + 12h), 0.0);
  EXPECT_DOUBLE_EQ(uptime(changes, Health::Up, day0 + 3h, day0 + 9h), 0.5);
  EXPECT_DOUBLE_EQ(uptime({}, Health::Down, day0, day0 + 1h), 0.0);
}

TEST(Uptime, TimeBeforeTheFirstPingDoesNotCount) {
  const std::vector<StateChange> changes{{day0 + 12h, Health::Up}, {day0 + 18h, Health::Down}};
  EXPECT_DOUBLE_EQ(uptime(changes, Health::New, day0, day0 + 24h), 0.5);
  EXPECT_DOUBLE_EQ(uptime(changes, Health::New, day0, day0 + 12h), 1.0);  // nothing accountable
}

TEST(Uptime, DaysInARowAtTarget) {
  // Down for 30 minutes three days before the end: that day misses 99.5 %.
  const FleetTime end = day0 + 24h * 10;
  const std::vector<StateChange> changes{{end - 24h * 3 + 1h, Health::Down},
                                         {end - 24h * 3 + 1h + 30min, Health::Up}};
  EXPECT_EQ(days_at_target(changes, Health::Up, end, 0.995, 30), 2);
  EXPECT_EQ(days_at_target(changes, Health::Up, end, 0.97, 30), 30);  // 30 min is 97.9 %
  EXPECT_EQ(days_at_target({}, Health::Up, end, 1.0, 7), 7);
  // Days before the subject existed do not count toward a run.
  EXPECT_EQ(days_at_target({{end - 24h * 3, Health::Up}}, Health::New, end, 0.99, 30), 3);
}

}  // namespace
}  // namespace fleetgate
