#include "core/model_pattern.h"

#include <gtest/gtest.h>

namespace fleetgate {

TEST(ModelPattern, MatchesFromTheStartGreedily) {
  std::vector<std::string_view> seg;
  EXPECT_TRUE(ModelPattern("*").match("gpt-4o", &seg));
  EXPECT_EQ(seg, (std::vector<std::string_view>{"gpt-4o"}));
  EXPECT_TRUE(ModelPattern("claude-*").match("claude-3-5-sonnet", &seg));
  EXPECT_EQ(seg, (std::vector<std::string_view>{"3-5-sonnet"}));
  EXPECT_FALSE(ModelPattern("claude-*").match("my-claude-3"));
  EXPECT_TRUE(ModelPattern("fo::*::static::*").match("fo::hi::static::hi", &seg));
  EXPECT_EQ(seg, (std::vector<std::string_view>{"hi", "hi"}));
  // Greedy: the first wildcard takes the longest run after which the rest still matches.
  EXPECT_TRUE(ModelPattern("a*-*").match("a1-2-3", &seg));
  EXPECT_EQ(seg, (std::vector<std::string_view>{"1-2", "3"}));
  // No end anchor (Python's re.match): a trailing literal need only appear.
  EXPECT_TRUE(ModelPattern("*-sonnet").match("claude-3-sonnet-2024", &seg));
  EXPECT_EQ(seg, (std::vector<std::string_view>{"claude-3"}));
  EXPECT_FALSE(ModelPattern("*-opus").match("claude-3-sonnet"));
}

TEST(ModelPattern, SpecificityAsLiteLLMMeasuresIt) {
  // re.escape('claude-*') with '\*' -> '(.*)' is 'claude\-(.*)': 12 long, '\', '(', '*', ')'.
  EXPECT_EQ(ModelPattern("claude-*").specificity(), (std::pair<std::size_t, std::size_t>{12, 4}));
  EXPECT_EQ(ModelPattern("*").specificity(), (std::pair<std::size_t, std::size_t>{4, 3}));
  EXPECT_GT(ModelPattern("claude-3-*").specificity(), ModelPattern("claude-*").specificity());
}

TEST(ModelPattern, FillsTheDeploymentsModel) {
  EXPECT_EQ(ModelPattern::fill("openai/*", "gpt-4o", {"gpt-4o"}), "openai/gpt-4o");
  EXPECT_EQ(ModelPattern::fill("fixed", "x", {"x"}), "fixed");
  EXPECT_EQ(ModelPattern::fill("bedrock/meta.llama3*", "a-meta.llama3-70b", {"a-", "-70b"}),
            "a-meta.llama3-70b");
}

TEST(ModelPattern, HostileNamesStayCheap) {
  const std::string long_name(100000, 'a');
  EXPECT_FALSE(ModelPattern("a*b*c*d").match(long_name));  // refused by length, not searched
  const std::string name(512, 'a');
  EXPECT_FALSE(ModelPattern("a*b*c*d").match(name));
  EXPECT_TRUE(ModelPattern("a*a*a*a").match(name));
}

}  // namespace fleetgate
