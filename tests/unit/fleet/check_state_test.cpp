// Dead man's switches: new, up, late, down, start/success and exit statuses, on an injected time.
#include "fleet/check_state.h"

#include <gtest/gtest.h>

namespace fleetgate {
namespace {

using namespace std::chrono_literals;

const FleetTime t0 = FleetTime(std::chrono::hours(100));

CheckSpec backup_job() {
  CheckSpec spec;
  spec.name = "nightly-backup";
  spec.period = 2s;
  spec.grace = 1s;
  spec.max_runtime = 10s;
  return spec;
}

TEST(CheckState, NewUntilTheFirstPingThenDownAfterPeriodPlusGrace) {
  CheckState c(backup_job());
  EXPECT_EQ(c.health(), Health::New);
  EXPECT_FALSE(c.deadline());  // a check nobody has pinged yet is not overdue
  auto up = c.ping(t0);
  ASSERT_TRUE(up);
  EXPECT_EQ(up->to, Health::Up);
  EXPECT_EQ(c.deadline(), t0 + 3s);
  EXPECT_FALSE(c.expire(t0 + 2999ms));
  auto down = c.expire(t0 + 3500ms);
  ASSERT_TRUE(down);
  EXPECT_EQ(down->to, Health::Down);
  EXPECT_EQ(down->at, t0 + 3s);  // stamped at the deadline, not when we noticed
  EXPECT_EQ(down->reason, "no ping within 3s");
  EXPECT_FALSE(c.deadline());
  auto back = c.ping(t0 + 10s);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->from, Health::Down);
  EXPECT_FALSE(c.ping(t0 + 11s));  // already up: no transition
}

TEST(CheckState, StartMustBeFollowedBySuccessWithinTheMaxRunTime) {
  CheckState c(backup_job());
  c.ping(t0);
  EXPECT_FALSE(c.start(t0 + 1s));
  EXPECT_TRUE(c.running());
  EXPECT_EQ(c.deadline(), t0 + 11s);  // a run is judged by its max run time, not the period
  c.ping(t0 + 2s);                    // success ends the run
  EXPECT_FALSE(c.running());
  c.start(t0 + 2500ms);
  CheckSpec long_period = backup_job();
  long_period.period = 1h;
  CheckState nightly(long_period);
  nightly.ping(t0);
  nightly.start(t0 + 1h);
  EXPECT_EQ(nightly.deadline(), t0 + 1h + 10s);  // the run's limit is earlier than the period's
  auto overran = nightly.expire(t0 + 1h + 10s);
  ASSERT_TRUE(overran);
  EXPECT_EQ(overran->reason, "run took over 10s");
}

TEST(CheckState, FailAndExitStatusAreImmediate) {
  CheckState c(backup_job());
  c.ping(t0);
  auto failed = c.exit_status(2, t0 + 1s);
  ASSERT_TRUE(failed);
  EXPECT_EQ(failed->to, Health::Down);
  EXPECT_EQ(failed->reason, "exit status 2");
  EXPECT_TRUE(c.exit_status(0, t0 + 2s));
  EXPECT_EQ(c.health(), Health::Up);
  EXPECT_TRUE(c.fail(t0 + 3s));
  EXPECT_EQ(c.health(), Health::Down);
}

}  // namespace
}  // namespace fleetgate
