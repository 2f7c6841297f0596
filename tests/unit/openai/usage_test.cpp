#include "openai/usage.h"

#include <gtest/gtest.h>

namespace fleetgate {

TEST(Usage, FindsTheUsageObject) {
  auto u = scan_usage(
      R"({"choices":[{"message":{"content":"usage"}}],"usage": {"prompt_tokens": 12, "completion_tokens":34,"total_tokens":46}})");
  ASSERT_TRUE(u);
  EXPECT_EQ(u->prompt_tokens, 12u);
  EXPECT_EQ(u->completion_tokens, 34u);
}

TEST(Usage, NullOrMissingUsage) {
  EXPECT_FALSE(scan_usage(R"({"usage":null})"));
  EXPECT_FALSE(scan_usage(R"({"choices":[]})"));
  EXPECT_FALSE(scan_usage(R"({"content":"\"usage\" is a word"})"));
}

}  // namespace fleetgate
