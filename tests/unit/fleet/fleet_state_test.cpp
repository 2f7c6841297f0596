// Dead man's switches, the deadline queue, thresholds with hysteresis and flapping, driven by
// an injected clock: no sleeps.
#include "fleet/check_state.h"
#include "fleet/deadline_queue.h"
#include "fleet/threshold.h"
#include "fleet/uptime.h"

#include "config/loader.h"

#include <gtest/gtest.h>

#include <random>

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

TEST(DeadlineQueue, PopsOnlyLiveDueDeadlinesInOrder) {
  DeadlineQueue q;
  q.set(1, t0 + 5s);
  q.set(2, t0 + 3s);
  q.set(3, t0 + 4s);
  q.set(2, t0 + 10s);  // re-armed: the old entry is stale
  q.set(3, std::nullopt);
  EXPECT_EQ(q.next(), t0 + 5s);
  EXPECT_TRUE(q.pop_due(t0 + 4s).empty());
  EXPECT_EQ(q.pop_due(t0 + 9s), std::vector<DeadlineQueue::Subject>{1});
  EXPECT_TRUE(q.pop_due(t0 + 9s).empty());  // each fires once
  EXPECT_EQ(q.pop_due(t0 + 10s), std::vector<DeadlineQueue::Subject>{2});
  EXPECT_FALSE(q.next());
}

TEST(DeadlineQueue, TenThousandSubjectsPingedOftenStayCompactAndExact) {
  DeadlineQueue q;
  std::mt19937 rng(7);
  std::vector<FleetTime> latest(10000);
  for (int round = 0; round < 20; ++round) {
    for (DeadlineQueue::Subject s = 0; s < 10000; ++s) {
      latest[s] = t0 + std::chrono::milliseconds(rng() % 60000);
      q.set(s, latest[s]);
    }
  }
  EXPECT_LE(q.size(), 4u * 10000);  // stale entries are compacted away
  auto due = q.pop_due(t0 + 30s);
  std::size_t expected = 0;
  for (const auto& t : latest) expected += t <= t0 + 30s;
  EXPECT_EQ(due.size(), expected);
  for (auto s : due) EXPECT_LE(latest[s], t0 + 30s);
}

// A threshold written with warning and critical only clears at its default level, for every
// figure's scale: a cpu_load_per_core warning of 1.5 never cleared when the default was
// warning - 2.
TEST(Threshold, EveryFigureClearsWithTheDefaultClearLevel) {
  struct Case {
    const char* metric;
    double warning, critical, busy, calm;
  };
  for (const Case c :
       {Case{"disk_used_percent", 85, 95, 90, 80}, Case{"memory_used_percent", 90, 97, 92, 85},
        Case{"cpu_load_per_core", 1.5, 3, 2, 1.0}, Case{"gpu_temperature_c", 80, 90, 85, 70},
        Case{"gpu_memory_used_percent", 90, 98, 95, 80}}) {
    SCOPED_TRACE(c.metric);
    const std::string yaml = std::string("fleet:\n  thresholds:\n    ") + c.metric +
                             ": {warning: " + std::to_string(c.warning) +
                             ", critical: " + std::to_string(c.critical) + "}\n";
    auto config = load_config_text(yaml, "config.yaml");
    ASSERT_TRUE(config);
    const auto& levels = config->fleet.thresholds.at(*parse_metric(c.metric));
    EXPECT_LT(levels.clear, levels.warning);
    EXPECT_GT(levels.clear, 0);
    EXPECT_NEAR(levels.clear, c.warning * 0.95, 1e-9);
    Threshold t(levels);
    EXPECT_EQ(t.update(c.busy), Level::Warning);
    EXPECT_EQ(t.update(c.warning - 0.01 * c.warning), std::nullopt);  // hovering: stays
    EXPECT_EQ(t.update(c.calm), Level::Ok);
  }
}

TEST(Threshold, HysteresisKeepsAHoveringValueFromFlapping) {
  Threshold disk(ThresholdSpec{80, 90, 78});
  EXPECT_FALSE(disk.update(50));
  EXPECT_EQ(disk.update(81), Level::Warning);
  EXPECT_FALSE(disk.update(79.5));  // below warning but above clear: still warning
  EXPECT_FALSE(disk.update(80.5));
  EXPECT_EQ(disk.update(95), Level::Critical);
  EXPECT_EQ(disk.update(85), Level::Warning);  // eases to warning
  EXPECT_FALSE(disk.update(79));
  EXPECT_EQ(disk.update(77.9), Level::Ok);
  EXPECT_EQ(disk.update(91), Level::Critical);  // straight from ok to critical
  EXPECT_EQ(disk.update(78.5), Level::Warning);
}

TEST(FlapDetector, ManyTransitionsInAWindowMarkFlappingOnce) {
  FlapDetector f(4, 10min);
  for (int i = 0; i < 4; ++i) EXPECT_FALSE(f.record(t0 + std::chrono::minutes(i)));
  EXPECT_EQ(f.record(t0 + 4min), true);
  EXPECT_FALSE(f.record(t0 + 5min));   // still flapping: no second notice
  EXPECT_FALSE(f.settle(t0 + 12min));  // 3 transitions left in the window: not calm yet
  EXPECT_EQ(f.settle(t0 + 14min), false);
  EXPECT_FALSE(f.flapping());
}

}  // namespace
}  // namespace fleetgate

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
