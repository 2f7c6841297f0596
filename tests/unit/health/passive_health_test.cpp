// The cooldown state machine, driven by an injected clock: no sleeps.
#include "health/passive_health.h"
#include "health/health_board.h"

#include <gtest/gtest.h>

namespace fleetgate {
namespace {

using namespace std::chrono_literals;
using State = PassiveHealth::State;
const PassiveHealth::TimePoint t0 = PassiveHealth::TimePoint(std::chrono::hours(1000));

CooldownPolicy policy(int allowed_fails) {
  CooldownPolicy p;
  p.allowed_fails = allowed_fails;
  p.cooldown = 5s;
  p.max_cooldown = 30s;
  p.window = 60s;
  return p;
}

TEST(PassiveHealth, CoolsDownOnlyAfterMoreThanAllowedFailsInTheWindow) {
  PassiveHealth h(policy(2));
  h.record(Outcome::Failure, t0);
  h.record(Outcome::Failure, t0 + 1s);
  EXPECT_EQ(h.state(t0 + 1s), State::Healthy);
  EXPECT_TRUE(h.admit(t0 + 1s));
  h.record(Outcome::Failure, t0 + 2s);
  EXPECT_EQ(h.state(t0 + 2s), State::CoolingDown);
  EXPECT_FALSE(h.admit(t0 + 6s));
  EXPECT_EQ(h.cooling_until(), t0 + 7s);
}

TEST(PassiveHealth, FailuresOutsideTheWindowAreForgotten) {
  PassiveHealth h(policy(1));
  h.record(Outcome::Failure, t0);
  h.record(Outcome::Failure, t0 + 61s);  // a new window: one failure only
  EXPECT_EQ(h.state(t0 + 61s), State::Healthy);
  h.record(Outcome::Failure, t0 + 62s);
  EXPECT_EQ(h.state(t0 + 62s), State::CoolingDown);
}

TEST(PassiveHealth, ZeroAllowedFailsCoolsOnTheFirst) {
  PassiveHealth h(policy(0));
  h.record(Outcome::Failure, t0);
  EXPECT_EQ(h.state(t0), State::CoolingDown);
}

TEST(PassiveHealth, HalfOpenAdmitsOneTrialThatDecides) {
  PassiveHealth h(policy(0));
  h.record(Outcome::Failure, t0);
  EXPECT_EQ(h.state(t0 + 5s), State::HalfOpen);
  EXPECT_TRUE(h.admit(t0 + 5s));   // the trial
  EXPECT_FALSE(h.admit(t0 + 5s));  // everyone else waits for it
  h.record(Outcome::Success, t0 + 6s);
  EXPECT_EQ(h.state(t0 + 6s), State::Healthy);
  EXPECT_TRUE(h.admit(t0 + 6s));
  EXPECT_TRUE(h.admit(t0 + 6s));
  EXPECT_EQ(h.strikes(), 0);
}

TEST(PassiveHealth, RepeatOffendersCoolDownLongerUpToTheCap) {
  PassiveHealth h(policy(0));
  h.record(Outcome::Failure, t0);  // 5 s
  auto now = t0 + 5s;
  Duration expected[] = {10s, 20s, 30s, 30s};
  for (Duration d : expected) {
    ASSERT_TRUE(h.admit(now));
    h.record(Outcome::Failure, now);  // the trial failed
    EXPECT_EQ(h.cooling_until() - now, d);
    now = h.cooling_until();
  }
  ASSERT_TRUE(h.admit(now));
  h.record(Outcome::Success, now);
  EXPECT_EQ(h.strikes(), 0);
  h.record(Outcome::Failure, now);
  EXPECT_EQ(h.cooling_until() - now, 5s);  // forgiven: back to the first cooldown
}

TEST(PassiveHealth, AStuckTrialExpiresAfterOneCooldown) {
  PassiveHealth h(policy(0));
  h.record(Outcome::Failure, t0);
  EXPECT_TRUE(h.admit(t0 + 5s));
  EXPECT_FALSE(h.admit(t0 + 9s));
  EXPECT_TRUE(h.admit(t0 + 10s));
}

TEST(PassiveHealth, RateLimitedCoolsForRetryAfterWithoutEscalating) {
  PassiveHealth h(policy(3));
  h.record(Outcome::RateLimited, t0, 12s);
  EXPECT_EQ(h.state(t0 + 11s), State::CoolingDown);
  EXPECT_EQ(h.state(t0 + 12s), State::HalfOpen);
  EXPECT_EQ(h.strikes(), 0);
  h.record(Outcome::RateLimited, t0 + 12s);  // no Retry-After: the policy's cooldown
  EXPECT_EQ(h.cooling_until(), t0 + 17s);
}

TEST(PassiveHealth, LateFailuresWhileCoolingDoNotExtendIt) {
  PassiveHealth h(policy(0));
  h.record(Outcome::Failure, t0);
  h.record(Outcome::Failure, t0 + 1s);  // a request admitted before the cooldown
  EXPECT_EQ(h.cooling_until(), t0 + 5s);
}

TEST(HealthBoard, SharesStateAndCountsInFlight) {
  HealthBoard board(2, policy(0));
  EXPECT_TRUE(board.admit(0, t0));
  board.started(0);
  board.started(0);
  board.finished(0);
  EXPECT_EQ(board.in_flight(0), 1);
  board.record(1, Outcome::Failure, t0);
  EXPECT_FALSE(board.admit(1, t0 + 1s));
  EXPECT_TRUE(board.admit(0, t0 + 1s));
  EXPECT_EQ(board.cooling_until(1), t0 + 5s);
  EXPECT_EQ(board.view(1, t0 + 1s).state, State::CoolingDown);
  EXPECT_EQ(board.view(1, t0 + 1s).failures_total, 1u);
  EXPECT_TRUE(board.admit(1, t0 + 5s));  // trial
  board.record(1, Outcome::Success, t0 + 5s);
  EXPECT_EQ(board.view(1, t0 + 5s).state, State::Healthy);
}

TEST(HealthBoard, TtfbMovingAverageAndMinuteCounters) {
  HealthBoard board(1, policy(3));
  EXPECT_LT(board.load(0, 7).ttfb_ewma_ms, 0);  // not measured yet
  board.record_ttfb(0, 100);
  EXPECT_DOUBLE_EQ(board.load(0, 7).ttfb_ewma_ms, 100);  // the first sample is the average
  board.record_ttfb(0, 200);
  EXPECT_DOUBLE_EQ(board.load(0, 7).ttfb_ewma_ms, 120);  // 0.8 * 100 + 0.2 * 200
  board.count_request(0, 7);
  board.count_request(0, 7);
  board.count_tokens(0, 7, 500);
  EXPECT_EQ(board.load(0, 7).requests_this_minute, 2u);
  EXPECT_EQ(board.load(0, 7).tokens_this_minute, 500u);
  EXPECT_EQ(board.load(0, 8).requests_this_minute, 0u);  // a new minute starts empty
  board.count_request(0, 8);
  EXPECT_EQ(board.load(0, 8).requests_this_minute, 1u);
  EXPECT_EQ(board.load(0, 8).tokens_this_minute, 0u);
}

}  // namespace
}  // namespace fleetgate
