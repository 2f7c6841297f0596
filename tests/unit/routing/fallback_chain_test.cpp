// The fallback chain: depth first, each model once, bounded; context-window fallbacks apart.
#include "routing/fallback_chain.h"

#include "routing_fixtures.h"

#include <gtest/gtest.h>

namespace fleetgate {
namespace {

using test::deployment;
using test::fallback;

std::vector<std::string> strings(const ModelChain& chain) { return {chain.begin(), chain.end()}; }

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

}  // namespace
}  // namespace fleetgate
