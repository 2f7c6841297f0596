#include "net/deadline_sweeper.h"

#include <gtest/gtest.h>
#include <boost/asio/io_context.hpp>

namespace fleetgate {

TEST(DeadlineSweeper, FiresOnlyExpiredWatchesAndUnlinksThem) {
  boost::asio::io_context ioc;
  DeadlineSweeper sweeper(ioc.get_executor());
  int a_fired = 0, b_fired = 0;
  DeadlineWatch a(sweeper, [&] { ++a_fired; });
  DeadlineWatch b(sweeper, [&] { ++b_fired; });
  const auto t0 = DeadlineWatch::Clock::now();
  a.arm_at(t0 + std::chrono::seconds(1));
  b.arm_at(t0 + std::chrono::seconds(5));
  EXPECT_EQ(sweeper.armed(), 2u);

  sweeper.sweep(t0 + std::chrono::milliseconds(999));
  EXPECT_EQ(a_fired, 0);
  sweeper.sweep(t0 + std::chrono::seconds(1));
  EXPECT_EQ(a_fired, 1);
  EXPECT_TRUE(a.expired());
  EXPECT_EQ(sweeper.armed(), 1u);
  sweeper.sweep(t0 + std::chrono::seconds(2));
  EXPECT_EQ(a_fired, 1) << "an expired watch fires once";

  b.disarm();
  sweeper.sweep(t0 + std::chrono::seconds(10));
  EXPECT_EQ(b_fired, 0) << "a disarmed watch never fires";
  EXPECT_EQ(sweeper.armed(), 0u);

  a.arm_at(t0 + std::chrono::seconds(20));
  EXPECT_FALSE(a.expired()) << "re-arming clears the expired flag";
}

TEST(DeadlineSweeper, DestroyedWatchLeavesTheList) {
  boost::asio::io_context ioc;
  DeadlineSweeper sweeper(ioc.get_executor());
  {
    DeadlineWatch w(sweeper, [] { FAIL() << "a destroyed watch must not fire"; });
    w.arm(std::chrono::seconds(1));
    EXPECT_EQ(sweeper.armed(), 1u);
  }
  EXPECT_EQ(sweeper.armed(), 0u);
  sweeper.sweep(DeadlineWatch::Clock::now() + std::chrono::hours(1));
}

TEST(DeadlineSweeper, TimerStopsWhenNothingIsArmed) {
  boost::asio::io_context ioc;
  DeadlineSweeper sweeper(ioc.get_executor(), std::chrono::milliseconds(1));
  int fired = 0;
  DeadlineWatch w(sweeper, [&] { ++fired; });
  w.arm(std::chrono::milliseconds(1));
  // run() returns only once the sweeper's timer stops re-arming: no wake-ups when idle.
  ioc.run_for(std::chrono::seconds(5));
  EXPECT_EQ(fired, 1);
  EXPECT_TRUE(ioc.stopped());
}

}  // namespace fleetgate

namespace fleetgate {

// Deadlines come from the sweeper's clock: on a manual one, its own ticks sweep by that time.
TEST(DeadlineSweeper, ArmsAndSweepsOnTheClockItIsGiven) {
  boost::asio::io_context ioc;
  ManualClock clock;
  DeadlineSweeper sweeper(ioc.get_executor(), std::chrono::milliseconds(1), clock);
  int fired = 0;
  DeadlineWatch w(sweeper, [&] { ++fired; });
  w.arm(std::chrono::hours(1));                // an hour of the manual clock
  ioc.run_for(std::chrono::milliseconds(30));  // the timer ticks; the clock has not moved
  EXPECT_EQ(fired, 0);
  clock.advance(std::chrono::hours(1));
  ioc.restart();
  ioc.run_for(std::chrono::milliseconds(30));
  EXPECT_EQ(fired, 1);
  EXPECT_EQ(sweeper.armed(), 0u);
}

}  // namespace fleetgate
