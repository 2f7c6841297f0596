#include "routing/route_table.h"

#include <gtest/gtest.h>

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
  EXPECT_EQ(*t.candidates("llama"), (std::vector<DeploymentIndex>{2}));
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
