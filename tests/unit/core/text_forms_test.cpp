#include "core/text_forms.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

namespace fleetgate {
namespace {

TEST(TextForms, ContainsFindsWhatFindFindsWhereverItStands) {
  // Small alphabets make near misses (the second and last bytes right, the rest wrong) common.
  std::mt19937 rng(12345);
  const std::string alphabet = "\"usage:erro";
  for (int trial = 0; trial < 20000; ++trial) {
    std::string hay(rng() % 80, ' ');
    for (auto& c : hay) c = alphabet[rng() % alphabet.size()];
    std::string needle(1 + rng() % 8, ' ');
    for (auto& c : needle) c = alphabet[rng() % alphabet.size()];
    if (rng() % 3 == 0 && hay.size() >= needle.size()) {  // plant it, at any place
      hay.replace(rng() % (hay.size() - needle.size() + 1), needle.size(), needle);
    }
    ASSERT_EQ(contains(hay, needle), hay.find(needle) != std::string::npos)
        << "hay '" << hay << "' needle '" << needle << "'";
  }
}

TEST(TextForms, ContainsAtTheEdgesOfAnEventStream) {
  const std::string chunk =
      R"(data: {"id":"c","object":"chat.completion.chunk","choices":[{"delta":{"content":"x"}}]})";
  EXPECT_FALSE(contains(chunk, "\"usage\""));
  EXPECT_FALSE(contains(chunk, "\"error\""));
  EXPECT_TRUE(contains(chunk + R"("usage")", "\"usage\""));  // the very end
  EXPECT_TRUE(contains(R"("error")" + chunk, "\"error\""));  // the very start
  EXPECT_FALSE(contains(chunk + R"("usag)", "\"usage\""));   // cut short
  EXPECT_TRUE(contains(std::string(1000, 'a') + "\"usage\"" + std::string(3, 'b'), "\"usage\""));
}

}  // namespace
}  // namespace fleetgate
