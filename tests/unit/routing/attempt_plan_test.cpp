// The attempt plan step by step, with a manual clock: which model and deployment come next,
// when to wait, wake or give up, and how a request ends.
#include "routing/attempt_plan.h"

#include "routing_fixtures.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>

namespace fleetgate {
namespace {

using test::deployment;
using test::fallback;

using namespace std::chrono_literals;

// Deployments 0-2 serve "a", 3 "b", 4 "c", 5 "big".
Config fleet() {
  Config c;
  c.deployments = {deployment("a"), deployment("a"), deployment("a"),
                   deployment("b"), deployment("c"), deployment("big")};
  c.router.fallbacks = {fallback("a", {"b"})};
  c.router.context_window_fallbacks = {fallback("a", {"big"})};
  return c;
}

// Candidate selection as the test sets it: the first untried deployment of the model that is
// up; "saturated" when every one is at its limits.
struct FakeChooser {
  explicit FakeChooser(const RouteTable& r) : routes(r) {}
  const RouteTable& routes;
  std::set<DeploymentIndex> down;
  bool saturated = false;
  int calls = 0;
  Choice operator()(std::string_view model, const Tried& tried) {
    ++calls;
    if (saturated) return Choice{std::nullopt, true};
    const auto* members = routes.candidates(model);
    if (!members) return {};
    for (DeploymentIndex i : *members)
      if (!down.contains(i) && std::find(tried.begin(), tried.end(), i) == tried.end())
        return Choice{i, false};
    return {};
  }
};

struct PlanTest : ::testing::Test {
  Config config = fleet();
  RouteTable routes{config};
  std::vector<Duration> whole = std::vector<Duration>(6, Duration(10s));
  PlanSettings settings;
  PlanClock::time_point start{};  // the manual clock: tests move `now` themselves
  PlanClock::time_point now = start;
  RetryBudget budget;
  FakeChooser choose{routes};

  AttemptPlan plan(std::string_view model = "a", std::span<const std::string> then = {}) {
    return AttemptPlan(routes, whole, settings, model, then, start);
  }
  Step next(AttemptPlan& p, bool queue_has_room = true, bool client_gone = false) {
    return p.next(choose, StepInputs{now, queue_has_room, client_gone}, budget);
  }
  // Asserts the next step tries `index` for `model`.
  void expect_try(AttemptPlan& p, DeploymentIndex index, std::string_view model) {
    const Step s = next(p);
    ASSERT_EQ(s.action, Action::Try);
    EXPECT_EQ(s.index, index);
    EXPECT_EQ(p.model(), model);
  }
  static TurnResult retryable() { return TurnResult{false, true, false}; }
};

TEST_F(PlanTest, EachModelGetsItsTriesThenItsFallbacksThenItStops) {
  settings.tries_per_model = 2;
  auto p = plan();
  expect_try(p, 0, "a");
  p.record(retryable());
  expect_try(p, 1, "a");
  p.record(retryable());
  expect_try(p, 3, "b");  // two tries of "a" were all it gets; deployment 2 is never asked
  p.record(retryable());
  EXPECT_EQ(next(p).action, Action::Stop);
  EXPECT_EQ(p.turns(), 3);
  EXPECT_EQ(p.tried(), (Tried{0, 1, 3}));
  EXPECT_EQ(p.ending(choose, false), Ending::Failed);
}

TEST_F(PlanTest, AModelWithNoDeploymentLeftGoesOnToItsFallbacks) {
  choose.down = {1, 2};
  auto p = plan();
  expect_try(p, 0, "a");
  p.record(retryable());
  expect_try(p, 3, "b");
}

TEST_F(PlanTest, AnAnswerEndsThePlan) {
  auto p = plan();
  expect_try(p, 0, "a");
  p.record(TurnResult{true, false, false});
  EXPECT_EQ(next(p).action, Action::Stop);
  EXPECT_EQ(p.ending(choose, false), Ending::Answered);
}

TEST_F(PlanTest, AFailureOfTheRequestItselfIsNotRetriedAnywhere) {
  auto p = plan();
  expect_try(p, 0, "a");
  p.record(TurnResult{false, false, false});  // e.g. a 400 from the backend
  EXPECT_EQ(next(p).action, Action::Stop);
  EXPECT_EQ(p.ending(choose, false), Ending::Failed);
}

TEST_F(PlanTest, AContextWindowErrorSwitchesToTheContextFallbacksOnce) {
  auto p = plan();
  expect_try(p, 0, "a");
  p.record(TurnResult{false, false, true});
  expect_try(p, 5, "big");  // not deployment 1 of "a", nor the general fallback "b"
  p.record(TurnResult{false, false, true});
  EXPECT_EQ(next(p).action, Action::Stop);
}

TEST_F(PlanTest, TheAutoRoutersTiersReplaceTheFallbacks) {
  settings.tries_per_model = 1;
  const std::vector<std::string> tiers{"c", "b"};
  auto p = plan("a", tiers);
  expect_try(p, 0, "a");
  p.record(retryable());
  expect_try(p, 4, "c");
  p.record(retryable());
  expect_try(p, 3, "b");
  p.record(retryable());
  EXPECT_EQ(next(p).action, Action::Stop);
}

TEST_F(PlanTest, MutualFallbacksTryEachModelOnce) {
  config.router.fallbacks = {fallback("a", {"b"}), fallback("b", {"a"})};
  RouteTable mutual(config);
  settings.tries_per_model = 1;
  AttemptPlan p(mutual, whole, settings, "a", {}, start);
  FakeChooser c{mutual};
  auto step = [&] { return p.next(c, StepInputs{now, true, false}, budget); };
  EXPECT_EQ(step().index, 0u);
  p.record(retryable());
  EXPECT_EQ(step().index, 3u);
  EXPECT_EQ(p.model(), "b");
  p.record(retryable());
  EXPECT_EQ(step().action, Action::Stop);
}

TEST_F(PlanTest, ATrialLostToAnotherRequestIsNoTurn) {
  auto p = plan();
  expect_try(p, 0, "a");
  p.lost(0);
  expect_try(p, 1, "a");
  EXPECT_EQ(p.turns(), 0);
}

TEST_F(PlanTest, EverythingAtItsLimitsWaitsForRoomUntilTheQueueTimeout) {
  settings.queue_timeout = 2s;
  choose.saturated = true;
  auto p = plan();
  Step s = next(p);
  EXPECT_EQ(s.action, Action::Wait);
  EXPECT_EQ(s.wait, settings.queue_poll);
  EXPECT_TRUE(p.waiting());
  now += 1999ms;
  EXPECT_EQ(next(p).action, Action::Wait);
  choose.saturated = false;  // room: the wait is over
  expect_try(p, 0, "a");
  EXPECT_FALSE(p.waiting());

  auto q = plan();
  choose.saturated = true;
  now = start;
  EXPECT_EQ(next(q).action, Action::Wait);
  now += 2s;
  // "b" is at its limits too; the fallback gets no queue of its own.
  EXPECT_EQ(next(q).action, Action::Stop);
  EXPECT_EQ(q.ending(choose, false), Ending::Saturated);
}

TEST_F(PlanTest, AFullQueueRefusesAtOnce) {
  choose.saturated = true;
  auto p = plan();
  EXPECT_EQ(next(p, /*queue_has_room=*/false).action, Action::Stop);
  EXPECT_FALSE(p.waiting());
  EXPECT_EQ(p.ending(choose, false), Ending::Saturated);  // asked again: still saturated
}

TEST_F(PlanTest, OnlyTheFirstTurnWaitsForRoom) {
  auto p = plan();
  expect_try(p, 0, "a");
  p.record(retryable());
  choose.saturated = true;
  EXPECT_EQ(next(p).action, Action::Stop);  // a retry does not queue: it gives up
}

TEST_F(PlanTest, NothingUpWakesAnOnDemandDeploymentOnce) {
  settings.can_wake = true;
  choose.down = {0, 1, 2, 3};
  auto p = plan();
  EXPECT_EQ(next(p).action, Action::Wake);
  p.woke(2, false);
  expect_try(p, 2, "a");
  p.record(retryable());
  EXPECT_EQ(next(p).action, Action::Stop);  // "b" is down, and there is no second wake

  auto q = plan();
  EXPECT_EQ(next(q).action, Action::Wake);
  q.woke(std::nullopt, true);
  EXPECT_EQ(next(q).action, Action::Stop);
  EXPECT_EQ(q.ending(choose, false), Ending::WakeFailed);
}

TEST_F(PlanTest, WithoutAnAgentNothingIsWokenAndNothingTried) {
  choose.down = {0, 1, 2, 3};
  auto p = plan();
  EXPECT_EQ(next(p).action, Action::Stop);
  EXPECT_EQ(p.ending(choose, false), Ending::NothingTried);
}

TEST_F(PlanTest, ARetryNeedsTimeLeftBudgetAndTheClient) {
  auto late = plan();
  expect_try(late, 0, "a");
  late.record(retryable());
  now = start + 10s;  // the request's whole time is up
  EXPECT_EQ(next(late).action, Action::Stop);
  EXPECT_EQ(late.ending(choose, false), Ending::Failed);

  now = start;
  RetryBudget spent(0.0, 0);
  auto broke = plan();
  ASSERT_EQ(broke.next(choose, StepInputs{now}, spent).action, Action::Try);
  broke.record(retryable());
  EXPECT_EQ(broke.next(choose, StepInputs{now}, spent).action, Action::Stop);

  auto gone = plan();
  expect_try(gone, 0, "a");
  gone.record(retryable());
  EXPECT_EQ(next(gone, true, /*client_gone=*/true).action, Action::Stop);
  EXPECT_EQ(gone.ending(choose, true), Ending::ClientGone);
}

TEST_F(PlanTest, TheDeadlineIsTheDeploymentsOwn) {
  whole[1] = 1s;  // deployment 1 has a short timeout of its own
  auto p = plan();
  expect_try(p, 0, "a");
  p.record(retryable());
  now = start + 1500ms;
  EXPECT_EQ(next(p).action, Action::Stop);  // deployment 1 is next, and its time is up
}

TEST_F(PlanTest, AFirstAnswerTakesOneChoice) {
  auto p = plan();
  expect_try(p, 0, "a");
  p.record(TurnResult{true, false, false});
  EXPECT_EQ(choose.calls, 1);  // one choice, no more
}

}  // namespace
}  // namespace fleetgate
