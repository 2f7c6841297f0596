// Candidate selection: who may take a request, and when every one is at its limits.
#include "routing/candidates.h"

#include "routing_fixtures.h"

#include <gtest/gtest.h>

#include <map>

namespace fleetgate {
namespace {

using test::deployment;

struct CandidatesTest : ::testing::Test {
  std::vector<Deployment> deployments{deployment("a"), deployment("a"), deployment("a")};
  std::vector<DeploymentIndex> members{0, 1, 2};
  std::map<DeploymentIndex, CandidateState> states;
  Choice pick(const Tried& tried = {}, Strategy strategy = Strategy::LeastBusy) {
    auto state = [&](DeploymentIndex i) { return states[i]; };
    return select_candidate(strategy, members, deployments, "a", tried, state, 0.5, 0.5);
  }
};

TEST_F(CandidatesTest, TriedAndUnavailableDeploymentsAreLeftOut) {
  states[0].in_flight = 0;
  states[1].in_flight = 5;
  states[2].in_flight = 9;
  EXPECT_EQ(pick().index, 0u);
  EXPECT_EQ(pick(Tried{0}).index, 1u);
  states[1].available = false;
  EXPECT_EQ(pick(Tried{0}).index, 2u);
  const Choice none = pick(Tried{0, 2});
  EXPECT_FALSE(none.index);
  EXPECT_FALSE(none.saturated);  // nothing up is no saturation
}

TEST_F(CandidatesTest, EveryLimitSaturates) {
  deployments[0].max_parallel_requests = 2;
  deployments[1].rpm = 10;
  deployments[2].tpm = 1000;
  states[0].in_flight = 2;
  states[1].requests_this_minute = 10;
  states[2].tokens_this_minute = 1000;
  const Choice full = pick();
  EXPECT_FALSE(full.index);
  EXPECT_TRUE(full.saturated);
  states[2].tokens_this_minute = 999;
  const Choice room = pick();
  EXPECT_EQ(room.index, 2u);
  EXPECT_FALSE(room.saturated);
}

TEST_F(CandidatesTest, UsageBasedRoutingTakesTheMostHeadroom) {
  for (auto& d : deployments) d.rpm = 100;
  states[0].requests_this_minute = 90;
  states[1].requests_this_minute = 10;
  states[2].requests_this_minute = 50;
  EXPECT_EQ(pick({}, Strategy::UsageBased).index, 1u);
  deployments[1].tpm = 1000;
  states[1].tokens_this_minute = 950;  // its tpm headroom is the smaller one: 5 %
  EXPECT_EQ(pick({}, Strategy::UsageBased).index, 2u);
}

TEST_F(CandidatesTest, ABareStarDeploymentTakesOnlyItsProvidersNames) {
  deployments = {deployment("*")};
  deployments[0].provider_from_request = true;  // model: "*"
  deployments[0].provider = Provider::Anthropic;
  members = {0};
  auto state = [](DeploymentIndex) { return CandidateState{}; };
  EXPECT_FALSE(
      select_candidate(Strategy::SimpleShuffle, members, deployments, "gpt-4o", {}, state, 0.1, 0.1)
          .index);
  EXPECT_EQ(select_candidate(Strategy::SimpleShuffle, members, deployments, "claude-3-haiku", {},
                             state, 0.1, 0.1)
                .index,
            0u);
}

}  // namespace
}  // namespace fleetgate
