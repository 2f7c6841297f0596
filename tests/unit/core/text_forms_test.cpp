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

TEST(TextForms, PrintableStripsControlsAndBadUtf8) {
  EXPECT_EQ(printable("ok \x1b[31mred\x1b]0;title\x07"), "ok ?[31mred?]0;title?");
  EXPECT_EQ(printable("a\nb\r\tc"), "a b  c");
  EXPECT_EQ(printable("caf\xc3\xa9"), "caf\xc3\xa9");
  EXPECT_EQ(printable("\xff"), "\xef\xbf\xbd");
  EXPECT_EQ(printable("\xc2\x9b"), "?");  // C1 CSI
}

TEST(TextForms, MarkdownTextEscapesMarkupAndHtml) {
  EXPECT_EQ(markdown_text("a|b"), "a\\|b");
  EXPECT_EQ(markdown_text("<script>x</script>"), "&lt;script&gt;x&lt;/script&gt;");
  EXPECT_EQ(markdown_text("[x](http://e) *b* _i_ `c` \\"),
            "\\[x\\](http://e) \\*b\\* \\_i\\_ \\`c\\` \\\\");
  EXPECT_EQ(markdown_text("A&B\nnext"), "A&amp;B next");
}

}  // namespace
}  // namespace fleetgate
