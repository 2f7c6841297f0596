// The one-pass reading of chat completions and their chunks: what the first choice and the top
// level say, whatever else is around it, and the shapes it leaves to a DOM.
#include "frontends/chat_scan.h"

#include <gtest/gtest.h>

namespace fleetgate {
namespace {

ChatReading read(std::string_view json) {
  ChatReading r;
  boost::system::error_code ec;
  EXPECT_TRUE(scan_chat(json, r, ec)) << json;
  return r;
}

TEST(ChatScan, AWholeAnswerWithToolCallsAndUsage) {
  const auto r = read(
      R"({"id":"x","choices":[{"index":0,"message":{"role":"assistant","content":"hi \"you\"",)"
      R"("tool_calls":[{"id":"call_1","type":"function","function":{"name":"f","arguments":"{\"a\":[1,{}]}"}},)"
      R"({"id":"call_2","function":{"name":"g","arguments":""}}]},"finish_reason":"tool_calls",)"
      R"("stop_reason":"END","logprobs":{"content":[{"token":"x"}]}}],)"
      R"("usage":{"prompt_tokens":12,"completion_tokens":3.0,"total_tokens":15},"extra":[[1],{"choices":[]}]})");
  EXPECT_TRUE(r.object);
  EXPECT_TRUE(r.choices);
  EXPECT_FALSE(r.odd);
  EXPECT_EQ(r.text, "hi \"you\"");
  ASSERT_EQ(r.calls.size(), 2u);
  EXPECT_EQ(r.calls[0].id, "call_1");
  EXPECT_EQ(r.calls[0].name, "f");
  EXPECT_EQ(r.calls[0].arguments, R"({"a":[1,{}]})");
  EXPECT_EQ(r.calls[1].index, 1u);
  EXPECT_EQ(r.calls[1].arguments, "");
  EXPECT_EQ(r.finish_reason, "tool_calls");
  EXPECT_EQ(r.stop_sequence, "END");
  ASSERT_TRUE(r.usage);
  EXPECT_EQ(r.usage->prompt_tokens, 12u);
  EXPECT_EQ(r.usage->completion_tokens, 3u);
  EXPECT_FALSE(r.error);
}

TEST(ChatScan, StreamChunksAndTheirParts) {
  auto r = read(
      R"({"choices":[{"delta":{"tool_calls":[{"index":2,"function":{"arguments":"{\"q"}}]},"finish_reason":null}]})");
  ASSERT_EQ(r.calls.size(), 1u);
  EXPECT_EQ(r.calls[0].index, 2u);
  EXPECT_EQ(r.calls[0].arguments, "{\"q");
  EXPECT_EQ(r.finish_reason, "");
  r = read(
      R"({"choices":[{"delta":{"content":[{"type":"text","text":"a"},{"type":"text","text":"b"}]}}]})");
  EXPECT_EQ(r.text, "ab");
  r = read(R"({"choices":[],"usage":{"prompt_tokens":-4,"completion_tokens":1e300}})");
  EXPECT_FALSE(r.choices);
  ASSERT_TRUE(r.usage);
  EXPECT_EQ(r.usage->prompt_tokens, 0u);  // clamped, not wrapped
  EXPECT_EQ(r.usage->completion_tokens, std::uint64_t{1} << 48);
  EXPECT_FALSE(read(R"({"usage":null})").usage);
}

TEST(ChatScan, ErrorsInEveryShape) {
  EXPECT_EQ(*read(R"({"error":"boom"})").error, "boom");
  EXPECT_EQ(*read(R"({"error":{"message":"bad","type":"x"}})").error, "bad");
  EXPECT_EQ(*read(R"({"error":{"code":5}})").error, "");  // present, without a message
  EXPECT_TRUE(read(R"({"error":null})").error);
  EXPECT_FALSE(read(R"({"choices":[{"message":{"content":"error"}}]})").error);
}

TEST(ChatScan, ShapesItLeavesToTheDom) {
  EXPECT_TRUE(read(R"({"choices":[{"delta":{}},{"delta":{}}]})").odd);  // a second choice
  EXPECT_TRUE(
      read(R"({"choices":[{"message":{"tool_calls":[{"function":{"arguments":{"a":1}}}]}}]})").odd);
  EXPECT_FALSE(read("[1,2]").object);
  ChatReading r;
  boost::system::error_code ec;
  EXPECT_FALSE(scan_chat(R"({"choices":[)", r, ec));
  EXPECT_FALSE(scan_chat("{\"a\":\"\xff\"}", r, ec));     // not UTF-8
  EXPECT_FALSE(scan_chat(std::string(100, '['), r, ec));  // deeper than the parser allows
}

}  // namespace
}  // namespace fleetgate
