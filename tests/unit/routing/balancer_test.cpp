#include "routing/balancer.h"

#include <gtest/gtest.h>

#include <map>
#include <vector>

namespace fleetgate {
namespace {

CandidateLoad c(DeploymentIndex i) {
  CandidateLoad x;
  x.index = i;
  return x;
}

TEST(Balancer, NamesFromLiteLLM) {
  EXPECT_EQ(parse_strategy("least-busy"), Strategy::LeastBusy);
  EXPECT_EQ(parse_strategy("latency-based-routing"), Strategy::LatencyBased);
  EXPECT_EQ(parse_strategy("usage-based-routing-v2"), Strategy::UsageBased);
  EXPECT_EQ(parse_strategy("simple-shuffle"), Strategy::SimpleShuffle);
}

TEST(Balancer, OrderIsPriorityUntilSaturated) {
  std::vector<CandidateLoad> v{c(0), c(1), c(2)};
  v[0].order = 2;
  v[1].order = 1;
  v[2].order = 3;
  EXPECT_EQ(balance(Strategy::SimpleShuffle, v, 0.9, 0), 1u);
  v[1].saturated = true;  // spill to order 2
  EXPECT_EQ(balance(Strategy::SimpleShuffle, v, 0.9, 0), 0u);
  v[0].saturated = true;
  v[2].saturated = true;
  EXPECT_FALSE(balance(Strategy::SimpleShuffle, v, 0.5, 0));
  EXPECT_FALSE(balance(Strategy::LeastBusy, std::vector<CandidateLoad>{}, 0.5, 0));
}

TEST(Balancer, ShuffleFollowsWeights) {
  std::vector<CandidateLoad> v{c(0), c(1)};
  v[1].weight = 3;
  // Weights 1 and 3: the first quarter of [0,1) goes to deployment 0, the rest to 1.
  EXPECT_EQ(balance(Strategy::SimpleShuffle, v, 0.0, 0), 0u);
  EXPECT_EQ(balance(Strategy::SimpleShuffle, v, 0.24, 0), 0u);
  EXPECT_EQ(balance(Strategy::SimpleShuffle, v, 0.26, 0), 1u);
  EXPECT_EQ(balance(Strategy::SimpleShuffle, v, 0.999999, 0), 1u);
  std::map<DeploymentIndex, int> counts;
  for (int i = 0; i < 1000; ++i) counts[*balance(Strategy::SimpleShuffle, v, i / 1000.0, 0)]++;
  EXPECT_EQ(counts[0], 250);
  EXPECT_EQ(counts[1], 750);
}

TEST(Balancer, LeastBusyTakesTheFewestInFlightAndSpreadsTies) {
  std::vector<CandidateLoad> v{c(0), c(1), c(2)};
  v[0].in_flight = 3;
  v[1].in_flight = 1;
  v[2].in_flight = 1;
  std::map<DeploymentIndex, int> seen;
  for (double r : {0.0, 0.3, 0.6, 0.9}) ++seen[*balance(Strategy::LeastBusy, v, r, 0)];
  EXPECT_EQ(seen.count(0), 0u);
  EXPECT_EQ(seen[1], 2);
  EXPECT_EQ(seen[2], 2);
}

TEST(Balancer, LatencyBasedPrefersTheFasterOfTwoAndLearnsUnmeasured) {
  std::vector<CandidateLoad> v{c(0), c(1)};
  v[0].ttfb_ewma_ms = 40;
  v[1].ttfb_ewma_ms = 900;
  for (double r1 : {0.1, 0.7})
    for (double r2 : {0.1, 0.7}) EXPECT_EQ(balance(Strategy::LatencyBased, v, r1, r2), 0u);
  v[1].ttfb_ewma_ms = -1;  // never measured: give it a request
  EXPECT_EQ(balance(Strategy::LatencyBased, v, 0.1, 0.5), 1u);
  std::vector<CandidateLoad> one{c(7)};
  EXPECT_EQ(balance(Strategy::LatencyBased, one, 0.99, 0.99), 7u);
}

TEST(Balancer, UsageBasedTakesTheMostHeadroom) {
  std::vector<CandidateLoad> v{c(0), c(1), c(2)};
  v[0].headroom = 0.2;
  v[1].headroom = 0.9;
  v[2].headroom = 0.5;
  EXPECT_EQ(balance(Strategy::UsageBased, v, 0.5, 0), 1u);
}

}  // namespace
}  // namespace fleetgate
