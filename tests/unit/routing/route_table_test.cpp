// The route table: public names, exact names over patterns, fallbacks by model.
#include "routing/route_table.h"

#include "routing_fixtures.h"

#include <gtest/gtest.h>

namespace fleetgate {
namespace {

using test::deployment;
using test::fallback;

Config three_deployments() {
  Config c;
  c.deployments = {deployment("qwen"), deployment("qwen"), deployment("llama")};
  return c;
}

TEST(RouteTable, GroupsByPublicName) {
  RouteTable t(three_deployments());
  ASSERT_NE(t.candidates("qwen"), nullptr);
  EXPECT_EQ(*t.candidates("qwen"), (std::vector<DeploymentIndex>{0, 1}));
  EXPECT_EQ(t.candidates("gpt-5"), nullptr);
  EXPECT_EQ(t.model_names(), (std::vector<std::string>{"qwen", "llama"}));
  EXPECT_EQ(*t.candidates("llama"), (std::vector<DeploymentIndex>{2}));
}

TEST(RouteTable, ExactNamesWinOverPatternsAndTheLongestPatternWins) {
  Config c;
  c.deployments = {deployment("*"), deployment("claude-*"), deployment("claude-3-*"),
                   deployment("claude-3-haiku")};
  RouteTable t(c);
  EXPECT_EQ(t.resolve("claude-3-haiku").group, "claude-3-haiku");
  EXPECT_EQ(*t.candidates("claude-3-haiku"), (std::vector<DeploymentIndex>{3}));
  EXPECT_EQ(t.resolve("claude-3-opus-20240229").group, "claude-3-*");
  EXPECT_EQ(t.resolve("claude-sonnet-4-5").group, "claude-*");
  EXPECT_EQ(t.resolve("gpt-4o").group, "*");
  EXPECT_EQ(t.model_names(),
            (std::vector<std::string>{"*", "claude-*", "claude-3-*", "claude-3-haiku"}));
}

TEST(RouteTable, AliasesRouteAsTheirTarget) {
  Config c = three_deployments();
  c.deployments.push_back(deployment("local-*"));
  c.router.aliases = {{"claude-sonnet-4-5", "qwen", false, 1},
                      {"claude-haiku-4-5", "local-small", true, 2},
                      {"qwen", "llama", false, 3}};  // a model_name is not shadowed
  RouteTable t(c);
  EXPECT_EQ(*t.candidates("claude-sonnet-4-5"), (std::vector<DeploymentIndex>{0, 1}));
  EXPECT_EQ(t.resolve("claude-sonnet-4-5").group, "qwen");
  EXPECT_EQ(t.resolve("claude-haiku-4-5").group, "local-*");
  EXPECT_EQ(*t.candidates("qwen"), (std::vector<DeploymentIndex>{0, 1}));
  EXPECT_EQ(t.model_names(),
            (std::vector<std::string>{"qwen", "llama", "local-*", "claude-sonnet-4-5"}));
}

TEST(RouteTable, WithoutACatchAllUnmatchedNamesAreNotServed) {
  Config c;
  c.deployments = {deployment("claude-*")};
  RouteTable t(c);
  EXPECT_EQ(t.candidates("gpt-4o"), nullptr);
  EXPECT_EQ(t.candidates("my-claude-x"), nullptr);  // anchored at the start
  EXPECT_NE(t.candidates("claude-"), nullptr);      // '*' may match nothing
}

TEST(RouteTable, FallbacksByModel) {
  Config c = three_deployments();
  c.router.fallbacks.push_back(fallback("qwen", {"llama"}));
  c.router.context_window_fallbacks.push_back(fallback("llama", {"qwen"}));
  RouteTable t(c);
  EXPECT_EQ(t.fallbacks("qwen"), (std::vector<std::string>{"llama"}));
  EXPECT_TRUE(t.fallbacks("llama").empty());
  EXPECT_TRUE(t.fallbacks("nope").empty());
  EXPECT_EQ(t.context_window_fallbacks("llama"), (std::vector<std::string>{"qwen"}));
}

TEST(RouteTable, FallbacksLookUpThePatternTheStrippedNameAndTheGenericEntry) {
  Config c;
  c.deployments = {deployment("claude-*"), deployment("local"), deployment("openai/*")};
  c.router.fallbacks = {fallback("claude-*", {"local"}), fallback("gpt-4o", {"claude-x"}),
                        fallback("*", {"local"})};
  RouteTable t(c);
  EXPECT_EQ(t.fallbacks("claude-3-opus"), (std::vector<std::string>{"local"}));
  EXPECT_EQ(t.fallbacks("openai/gpt-4o"), (std::vector<std::string>{"claude-x"}));
  EXPECT_EQ(t.fallbacks("anything"), (std::vector<std::string>{"local"}));  // the "*" entry
}

}  // namespace
}  // namespace fleetgate
