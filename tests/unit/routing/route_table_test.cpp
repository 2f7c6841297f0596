#include "routing/route_table.h"

#include <gtest/gtest.h>

#include <map>

namespace fleetgate {
namespace {

Config three_deployments() {
  Config c;
  auto add = [&](std::string name, double weight) {
    Deployment d;
    d.model_name = std::move(name);
    d.weight = weight;
    c.deployments.push_back(d);
  };
  add("qwen", 1.0);
  add("qwen", 3.0);
  add("llama", 1.0);
  return c;
}

}  // namespace

TEST(RouteTable, GroupsByPublicName) {
  RouteTable t(three_deployments());
  ASSERT_NE(t.candidates("qwen"), nullptr);
  EXPECT_EQ(*t.candidates("qwen"), (std::vector<DeploymentIndex>{0, 1}));
  EXPECT_EQ(t.candidates("gpt-5"), nullptr);
  EXPECT_EQ(t.model_names(), (std::vector<std::string>{"qwen", "llama"}));
  EXPECT_FALSE(t.pick("gpt-5", 0.5));
  EXPECT_EQ(t.pick("llama", 0.99), 2u);
}

TEST(RouteTable, ShuffleFollowsWeights) {
  RouteTable t(three_deployments());
  // Weights 1 and 3: the first quarter of [0,1) goes to deployment 0, the rest to 1.
  EXPECT_EQ(t.pick("qwen", 0.0), 0u);
  EXPECT_EQ(t.pick("qwen", 0.24), 0u);
  EXPECT_EQ(t.pick("qwen", 0.26), 1u);
  EXPECT_EQ(t.pick("qwen", 0.999999), 1u);
  std::map<DeploymentIndex, int> counts;
  for (int i = 0; i < 1000; ++i) counts[*t.pick("qwen", i / 1000.0)]++;
  EXPECT_EQ(counts[0], 250);
  EXPECT_EQ(counts[1], 750);
}

TEST(RouteTable, PickAmongSkipsExcludedMembersAndKeepsWeights) {
  Config c = three_deployments();
  Deployment d;
  d.model_name = "qwen";
  d.weight = 1.0;
  c.deployments.push_back(d);  // index 3: weights 1, 3, 1
  RouteTable t(c);
  auto not1 = [](DeploymentIndex i) { return i != 1; };
  EXPECT_EQ(t.pick_among("qwen", 0.0, not1), 0u);
  EXPECT_EQ(t.pick_among("qwen", 0.49, not1), 0u);
  EXPECT_EQ(t.pick_among("qwen", 0.5, not1), 3u);
  EXPECT_EQ(t.pick_among("qwen", 0.999999, not1), 3u);
  EXPECT_EQ(t.pick_among("qwen", 0.1, [](DeploymentIndex i) { return i == 1; }), 1u);
  EXPECT_FALSE(t.pick_among("qwen", 0.5, [](DeploymentIndex) { return false; }));
  EXPECT_FALSE(t.pick_among("gpt-5", 0.5, [](DeploymentIndex) { return true; }));
}

TEST(RouteTable, FallbacksByModel) {
  Config c = three_deployments();
  c.router.fallbacks.push_back({"qwen", {"llama"}});
  c.router.context_window_fallbacks.push_back({"llama", {"qwen"}});
  RouteTable t(c);
  EXPECT_EQ(t.fallbacks("qwen"), (std::vector<std::string>{"llama"}));
  EXPECT_TRUE(t.fallbacks("llama").empty());
  EXPECT_TRUE(t.fallbacks("nope").empty());
  EXPECT_EQ(t.context_window_fallbacks("llama"), (std::vector<std::string>{"qwen"}));
}

}  // namespace fleetgate
