#include "routing/route_table.h"

#include "routing/fallback_chain.h"
#include "routing/upstream_model.h"

#include <gtest/gtest.h>

namespace fleetgate {
namespace {

Deployment deployment(std::string name, std::string upstream = "m",
                      Provider provider = Provider::OpenAI) {
  Deployment d;
  d.model_name = std::move(name);
  d.upstream_model = std::move(upstream);
  d.provider = provider;
  return d;
}

Config three_deployments() {
  Config c;
  c.deployments = {deployment("qwen"), deployment("qwen"), deployment("llama")};
  return c;
}

Fallback fallback(std::string from, std::vector<std::string> to) {
  return Fallback{std::move(from), std::move(to), "router_settings.fallbacks[0]", 1};
}

std::vector<std::string> strings(const ModelChain& chain) { return {chain.begin(), chain.end()}; }

}  // namespace

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

TEST(FallbackChain, DepthFirstEachModelOnceBoundedByMaxFallbacks) {
  Config c;
  for (std::string m : {"a", "b", "c", "d", "e"}) c.deployments.push_back(deployment(m));
  c.router.fallbacks = {fallback("a", {"b", "c"}), fallback("b", {"d", "a"}), fallback("c", {"e"}),
                        fallback("d", {"b"})};
  RouteTable t(c);
  // LiteLLM calls a fallback with fallbacks of its own before the next sibling.
  EXPECT_EQ(strings(fallback_chain(t, "a", FallbackKind::General, 5)),
            (std::vector<std::string>{"b", "d", "c", "e"}));
  EXPECT_EQ(strings(fallback_chain(t, "a", FallbackKind::General, 2)),
            (std::vector<std::string>{"b", "d"}));
  EXPECT_TRUE(fallback_chain(t, "a", FallbackKind::General, 0).empty());
  // Mutual fallbacks do not loop.
  EXPECT_EQ(strings(fallback_chain(t, "d", FallbackKind::General, 5)),
            (std::vector<std::string>{"b", "a", "c", "e"}));
  const std::vector<std::string_view> tried = {"b"};
  EXPECT_EQ(strings(fallback_chain(t, "a", FallbackKind::General, 5, tried)),
            (std::vector<std::string>{"c", "e"}));
}

TEST(FallbackChain, ContextWindowFallbacksAreTheirOwnChain) {
  Config c;
  for (std::string m : {"small", "medium", "big"}) c.deployments.push_back(deployment(m));
  c.router.fallbacks = {fallback("small", {"medium"})};
  c.router.context_window_fallbacks = {fallback("small", {"medium"}), fallback("medium", {"big"})};
  RouteTable t(c);
  EXPECT_EQ(strings(fallback_chain(t, "small", FallbackKind::ContextWindow, 5)),
            (std::vector<std::string>{"medium", "big"}));
  EXPECT_TRUE(fallback_chain(t, "big", FallbackKind::ContextWindow, 5).empty());
}

TEST(UpstreamModel, FixedFilledOrFollowingTheRequest) {
  EXPECT_EQ(upstream_model_for(deployment("claude-*", "qwen2.5:7b"), "claude-3-opus"),
            "qwen2.5:7b");
  EXPECT_FALSE(deployment("claude-*", "qwen2.5:7b").follows_request());
  EXPECT_EQ(upstream_model_for(deployment("*", "*"), "gpt-4o"), "gpt-4o");
  EXPECT_EQ(upstream_model_for(deployment("anthropic/*", "*"), "anthropic/claude-3-haiku"),
            "claude-3-haiku");
  EXPECT_EQ(upstream_model_for(deployment("claude-*", "claude-*"), "claude-3-opus"),
            "claude-3-opus");
  // More segments than the model has wildcards: the requested name as it is (LiteLLM).
  EXPECT_EQ(upstream_model_for(deployment("*meta.llama3*", "meta.llama3*"), "x-meta.llama3-70b"),
            "x-meta.llama3-70b");
}

TEST(UpstreamModel, ABareStarDeploymentTakesItsProvidersNamesOnly) {
  Deployment openai = deployment("*", "*", Provider::OpenAI);
  openai.provider_from_request = true;
  Deployment anthropic = deployment("*", "*", Provider::Anthropic);
  anthropic.provider_from_request = true;
  EXPECT_TRUE(takes_request(openai, "gpt-4o-mini"));
  EXPECT_FALSE(takes_request(openai, "claude-3-haiku"));
  EXPECT_TRUE(takes_request(anthropic, "claude-3-haiku"));
  EXPECT_TRUE(takes_request(anthropic, "anthropic/claude-3-haiku"));
  EXPECT_EQ(upstream_model_for(anthropic, "anthropic/claude-3-haiku"), "claude-3-haiku");
  EXPECT_FALSE(takes_request(openai, "llama3"));
  EXPECT_FALSE(takes_request(anthropic, "llama3"));
  EXPECT_TRUE(takes_request(deployment("x"), "anything"));
}

}  // namespace fleetgate
