#include "agent/process_lifecycle.h"

#include <gtest/gtest.h>

#include <csignal>

namespace fleetgate {
namespace {

using namespace std::chrono_literals;
const AgentTime t0 = AgentTime(std::chrono::hours(1));

RestartSpec spec() {
  RestartSpec s;
  s.backoff_initial = 1s;
  s.backoff_max = 8s;
  s.stable_after = 30s;
  s.max_failures = 5;
  s.failure_window = 5min;
  return s;
}

const ExitInfo kKilled{std::nullopt, SIGKILL};
const ExitInfo kFailed{1, std::nullopt};
const ExitInfo kClean{0, std::nullopt};

TEST(ProcessLifecycle, CrashesBackOffExponentiallyUpToTheCap) {
  ProcessLifecycle p(spec());
  ASSERT_TRUE(p.start(t0));
  p.spawned(t0, true);
  EXPECT_EQ(p.state(), ProcessState::Running);
  AgentTime now = t0 + 1s;
  std::vector<Duration> waits;
  for (int i = 0; i < 4; ++i) {
    p.exited(now, kFailed);
    ASSERT_EQ(p.state(), ProcessState::Backoff);
    waits.push_back(std::chrono::duration_cast<Duration>(*p.restart_at() - now));
    EXPECT_FALSE(p.due(*p.restart_at() - 1ms));
    now = *p.restart_at();
    ASSERT_TRUE(p.due(now));
    p.spawned(now, true);
    now += 1s;
  }
  EXPECT_EQ(waits, (std::vector<Duration>{1s, 2s, 4s, 8s}));
  EXPECT_EQ(p.restarts(), 4);
  EXPECT_EQ(p.last_reason(), "exit status 1");
}

// A liveness probe that always fails made the agent restart a process thousands of times a
// minute: stops for recovery go through the crash backoff and towards FATAL.
TEST(ProcessLifecycle, UnhealthyStopsRestartThroughTheBackoffAndGiveUp) {
  auto s = spec();
  s.policy = RestartPolicy::Never;  // a recovery restarts it whatever the policy
  ProcessLifecycle p(s);
  ASSERT_TRUE(p.start(t0));
  p.spawned(t0, true);
  AgentTime now = t0 + 1s;
  std::vector<Duration> waits;
  for (int i = 0; i < 4; ++i) {
    ASSERT_TRUE(p.stop_for_recovery(now));
    EXPECT_EQ(p.state(), ProcessState::Stopping);
    p.exited(now, kClean);  // it went on SIGTERM, cleanly
    ASSERT_EQ(p.state(), ProcessState::Backoff) << p.last_reason();
    EXPECT_EQ(p.last_reason(), "stopped as unhealthy (exit status 0)");
    waits.push_back(std::chrono::duration_cast<Duration>(*p.restart_at() - now));
    now = *p.restart_at();
    ASSERT_TRUE(p.due(now));
    p.spawned(now, true);
    now += 1s;
  }
  EXPECT_EQ(waits, (std::vector<Duration>{1s, 2s, 4s, 8s}));
  ASSERT_TRUE(p.stop_for_recovery(now));
  p.exited(now, kClean);
  EXPECT_EQ(p.state(), ProcessState::Fatal);  // the fifth failure in five minutes
  // After a long healthy run, an unhealthy stop restarts it at once, as a fresh start.
  ProcessLifecycle q(spec());
  ASSERT_TRUE(q.start(t0));
  q.spawned(t0, true);
  ASSERT_TRUE(q.stop_for_recovery(t0 + 1h));
  q.exited(t0 + 1h, kKilled);
  EXPECT_EQ(q.state(), ProcessState::Backoff);
  EXPECT_EQ(q.restart_at(), t0 + 1h);
  // A plain stop is still a stop.
  ProcessLifecycle r(spec());
  ASSERT_TRUE(r.start(t0));
  r.spawned(t0, true);
  ASSERT_TRUE(r.stop(t0 + 1s));
  r.exited(t0 + 2s, kClean);
  EXPECT_EQ(r.state(), ProcessState::Stopped);
  EXPECT_FALSE(r.stop_for_recovery(t0 + 3s));
}

TEST(ProcessLifecycle, GivesUpAfterTooManyFailedStartsInTheWindow) {
  ProcessLifecycle p(spec());
  p.start(t0);
  AgentTime now = t0;
  for (int i = 0; i < 5; ++i) {
    p.spawned(now, true);
    p.exited(now + 100ms, kKilled);
    if (i < 4) {
      ASSERT_EQ(p.state(), ProcessState::Backoff) << i;
      now = *p.restart_at();
      ASSERT_TRUE(p.due(now));
    }
  }
  EXPECT_EQ(p.state(), ProcessState::Fatal);
  EXPECT_FALSE(p.restart_at());
  EXPECT_NE(p.last_reason().find("killed by SIGKILL; gave up after 5 failed starts in 5m"),
            std::string::npos)
      << p.last_reason();
  EXPECT_FALSE(p.due(now + 1h));
  // An explicit start clears the give-up.
  EXPECT_TRUE(p.start(now + 1h));
  EXPECT_EQ(p.state(), ProcessState::Starting);
}

TEST(ProcessLifecycle, AStableRunResetsBackoffAndFailures) {
  ProcessLifecycle p(spec());
  p.start(t0);
  p.spawned(t0, true);
  p.exited(t0 + 1s, kFailed);
  p.due(*p.restart_at());
  p.spawned(t0 + 2s, true);
  p.exited(t0 + 3s, kFailed);
  EXPECT_EQ(p.current_backoff(), 2s);
  const auto again = *p.restart_at();
  p.due(again);
  p.spawned(again, true);
  // Runs for a minute, then dies: restarted at once, backoff from the start.
  p.exited(again + 60s, kKilled);
  EXPECT_EQ(p.state(), ProcessState::Backoff);
  EXPECT_EQ(p.restart_at(), again + 60s);
  EXPECT_TRUE(p.due(again + 60s));
  p.spawned(again + 60s, true);
  p.exited(again + 61s, kFailed);
  EXPECT_EQ(p.current_backoff(), 1s);
}

TEST(ProcessLifecycle, PoliciesAndStops) {
  RestartSpec on_failure = spec();
  on_failure.policy = RestartPolicy::OnFailure;
  ProcessLifecycle job(on_failure);
  job.start(t0);
  job.spawned(t0, true);
  job.exited(t0 + 1s, kClean);
  EXPECT_EQ(job.state(), ProcessState::Exited);  // a clean exit is the end of the job

  RestartSpec never = spec();
  never.policy = RestartPolicy::Never;
  ProcessLifecycle once(never);
  once.start(t0);
  once.spawned(t0, true);
  once.exited(t0 + 1s, kKilled);
  EXPECT_EQ(once.state(), ProcessState::Exited);

  ProcessLifecycle server(spec());
  server.start(t0);
  server.spawned(t0, false);
  EXPECT_EQ(server.state(), ProcessState::Starting);  // until its readiness URL answers
  server.ready(t0 + 2s);
  EXPECT_EQ(server.state(), ProcessState::Running);
  EXPECT_TRUE(server.stop(t0 + 10s));
  EXPECT_EQ(server.state(), ProcessState::Stopping);
  server.exited(t0 + 11s, ExitInfo{std::nullopt, SIGTERM});
  EXPECT_EQ(server.state(), ProcessState::Stopped);  // asked to stop: not restarted
  EXPECT_FALSE(server.restart_at());

  ProcessLifecycle missing(spec());
  missing.start(t0);
  missing.spawn_failed(t0, "cannot run /nope: No such file or directory");
  EXPECT_EQ(missing.state(), ProcessState::Backoff);
  EXPECT_FALSE(missing.stop(t0 + 100ms));  // nothing to signal
  EXPECT_EQ(missing.state(), ProcessState::Stopped);
  EXPECT_EQ(parse_restart_policy("on-failure"), RestartPolicy::OnFailure);
  EXPECT_FALSE(parse_restart_policy("sometimes"));
}

}  // namespace
}  // namespace fleetgate
