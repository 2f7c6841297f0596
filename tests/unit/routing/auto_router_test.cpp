// The auto router's classifier on a table of requests with the tier each should get.
#include "routing/auto_router.h"

#include <gtest/gtest.h>
#include <boost/json.hpp>

namespace fleetgate {
namespace {

AutoRouter three_tiers() {
  AutoRouter a;
  a.model_name = "auto";
  a.tiers = {"fast", "complex", "frontier"};
  a.rules = {{AutoRule::Kind::PromptTokens, 1, 2000, {}},
             {AutoRule::Kind::MaxTokens, 1, 1024, {}},
             {AutoRule::Kind::Code, 1, 0, {}},
             {AutoRule::Kind::Tools, 1, 0, {}},
             {AutoRule::Kind::Turns, 1, 12, {}},
             {AutoRule::Kind::Keywords, 2, 0, {"step by step", "prove"}}};
  return a;
}

std::string boost_json_quote(const std::string& s) {
  return boost::json::serialize(boost::json::value(s));
}

std::string chat(const std::string& content, const std::string& extra = "") {
  return R"({"model":"auto","messages":[{"role":"user","content":)" + boost_json_quote(content) +
         "}]" + extra + "}";
}

struct Case {
  const char* name;
  std::string body;
  std::size_t tier;
  const char* reason;
};

class AutoRouterTable : public ::testing::TestWithParam<Case> {};

TEST_P(AutoRouterTable, PicksTheExpectedTier) {
  const Case& c = GetParam();
  const RouteDecision d = decide(three_tiers(), read_traits(c.body));
  EXPECT_EQ(d.tier, c.tier) << c.name << ": " << d.reason;
  EXPECT_EQ(d.reason, c.reason) << c.name;
}

std::string turns(int n) {
  std::string body = R"({"model":"auto","messages":[)";
  for (int i = 0; i < n; ++i)
    body += std::string(i ? "," : "") + R"({"role":")" + (i % 2 ? "assistant" : "user") +
            R"(","content":"ok"})";
  return body + "]}";
}

INSTANTIATE_TEST_SUITE_P(
    Prompts, AutoRouterTable,
    ::testing::Values(
        Case{"greeting", chat("Turn on the kitchen lights"), 0, "default"},
        Case{"short question", chat("What's the weather tomorrow?"), 0, "default"},
        Case{"long document", chat("Summarise: " + std::string(9000, 'a')), 1,
             "prompt_tokens>2000"},
        Case{"long answer wanted", chat("Write an essay", R"(,"max_tokens":4000)"), 1,
             "max_tokens>1024"},
        Case{"max_completion_tokens", chat("Write", R"(,"max_completion_tokens":2048)"), 1,
             "max_tokens>1024"},
        Case{"code review", chat("Why does this fail?\n```cpp\nint main() {}\n```"), 1, "code"},
        Case{"tools",
             chat("Book a table", R"(,"tools":[{"type":"function","function":{"name":"book"}}])"),
             1, "tools"},
        Case{"json schema",
             chat("Extract", R"(,"response_format":{"type":"json_schema","json_schema":{}})"), 1,
             "tools"},
        Case{"json object is not a schema",
             chat("Extract", R"(,"response_format":{"type":"json_object"})"), 0, "default"},
        Case{"deep conversation", turns(14), 1, "turns>12"},
        Case{"reasoning keyword", chat("Prove that there are infinitely many primes"), 2,
             "keyword:prove"},
        Case{"keyword beats code", chat("Think step by step:\n```\nx = 1\n```"), 2,
             "keyword:step by step"},
        Case{
            "keyword in the system prompt does not count",
            R"({"model":"auto","messages":[{"role":"system","content":"Prove everything"},{"role":"user","content":"hi"}]})",
            0, "default"},
        Case{
            "multi-part content",
            R"({"model":"auto","messages":[{"role":"user","content":[{"type":"text","text":"please PROVE it"},{"type":"image_url","image_url":{"url":"x"}}]}]})",
            2, "keyword:prove"},
        Case{"completion prompt", R"({"model":"auto","prompt":"```py\nprint(1)\n```"})", 1, "code"},
        Case{"not json", "{", 0, "default"}),
    [](const auto& param_info) {
      std::string n = param_info.param.name;
      for (char& ch : n)
        if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
      return n;
    });

}  // namespace
}  // namespace fleetgate
