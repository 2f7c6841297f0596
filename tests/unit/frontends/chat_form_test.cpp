// The internal form read back: whole chat completions, error bodies, and streams split anywhere.
#include "frontends/chat_form.h"

#include <gtest/gtest.h>

#include "front_fixtures.h"

#include <string>
#include <vector>

namespace fleetgate {
namespace {

TEST(ChatForm, WholeAnswerWithToolCalls) {
  auto a = parse_chat_answer(R"({"choices":[{"index":0,"message":{"role":"assistant",
    "content":"ok","tool_calls":[{"id":"c1","type":"function","function":{"name":"f",
    "arguments":"{\"a\":1}"}},{"id":"c2","function":{"name":"g","arguments":{"b":2}}},
    {"function":{"name":"h"}}]},"finish_reason":"tool_calls","stop_reason":null}],
    "usage":{"prompt_tokens":5,"completion_tokens":3}})");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->text, "ok");
  ASSERT_EQ(a->tool_calls.size(), 3u);
  EXPECT_EQ(a->tool_calls[0].arguments, "{\"a\":1}");
  EXPECT_EQ(a->tool_calls[1].arguments, "{\"b\":2}");  // an object, as some servers send
  EXPECT_EQ(a->tool_calls[2].arguments, "{}");
  EXPECT_EQ(a->finish_reason, "tool_calls");
  ASSERT_TRUE(a->usage);
  EXPECT_EQ(a->usage->prompt_tokens, 5u);
}

TEST(ChatForm, ContentPartsAndStopSequence) {
  auto a = parse_chat_answer(R"({"choices":[{"message":{"content":[{"type":"text","text":"a"},
    {"type":"text","text":"b"}]},"finish_reason":"stop","stop_reason":"END"}]})");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->text, "ab");
  EXPECT_EQ(a->stop_sequence, "END");
  EXPECT_FALSE(a->usage);
}

TEST(ChatForm, MalformedAnswersAreProtocolErrors) {
  for (std::string_view body : {"", "[]", "{\"choices\":[]}", "{\"choices\":[1]}", "{\"x\":1"}) {
    auto a = parse_chat_answer(body);
    ASSERT_FALSE(a) << body;
    EXPECT_EQ(a.error().code, Errc::UpstreamProtocol);
  }
}

TEST(ChatForm, ErrorMessages) {
  EXPECT_EQ(error_message_of(400, R"({"error":{"message":"bad"}})"), "bad");
  EXPECT_EQ(error_message_of(404, R"({"error":"model 'x' not found"})"), "model 'x' not found");
  EXPECT_EQ(error_message_of(422, R"({"detail":"field required"})"), "field required");
  EXPECT_EQ(error_message_of(502, "Bad Gateway"), "Bad Gateway");
  EXPECT_EQ(error_message_of(503, ""), "the backend answered with status 503");
  EXPECT_EQ(error_message_of(500, std::string(2000, 'x')).size(), 512u);
}

struct Recorder : ChatStreamSink {
  std::vector<std::string> seen;
  void on_text(std::string_view d) override { seen.push_back("text:" + std::string(d)); }
  void on_tool_start(std::size_t i, std::string_view id, std::string_view name) override {
    seen.push_back("tool:" + std::to_string(i) + ":" + std::string(id) + ":" + std::string(name));
  }
  void on_tool_arguments(std::size_t i, std::string_view d) override {
    seen.push_back("args:" + std::to_string(i) + ":" + std::string(d));
  }
  void on_finish(std::string_view r, std::string_view) override {
    seen.push_back("finish:" + std::string(r));
  }
  void on_usage(const Usage& u) override {
    seen.push_back("usage:" + std::to_string(u.prompt_tokens) + "/" +
                   std::to_string(u.completion_tokens));
  }
  void on_error(std::string_view m) override { seen.push_back("error:" + std::string(m)); }
  void on_done() override { seen.push_back("done"); }
};

TEST(ChatForm, StreamReadAtEverySplit) {
  const std::string_view in = testing::kTextThenTool;
  Recorder whole;
  ChatStreamReader().feed(in, whole);
  const std::vector<std::string> expected = {
      "text:Hel",          "text:lo \xc3\xa9",  "tool:0:call_1:search", "args:0:{\"q\":",
      "args:0:\"fleet\"}", "finish:tool_calls", "usage:11/7",           "done"};
  EXPECT_EQ(whole.seen, expected);
  for (std::size_t split = 0; split <= in.size(); ++split) {
    Recorder r;
    ChatStreamReader reader;
    reader.feed(in.substr(0, split), r);
    reader.feed(in.substr(split), r);
    ASSERT_EQ(r.seen, expected) << "split at " << split;
  }
}

TEST(ChatForm, StreamErrorEventsAndGarbage) {
  Recorder r;
  ChatStreamReader reader;
  reader.feed(testing::kErrorAfterFirst, r);
  reader.feed("data: not json\n\ndata: {\"error\":\"plain\"}\n\n", r);
  const std::vector<std::string> expected = {"text:one", "error:out of memory", "error:plain"};
  EXPECT_EQ(r.seen, expected);
}

// The shapes the one-pass reading leaves to the DOM: a chunk with two choices, and arguments
// sent as an object.
TEST(ChatForm, StreamShapesReadAsADom) {
  Recorder r;
  ChatStreamReader().feed(
      "data: {\"choices\":[{\"delta\":{\"content\":\"a\"}},{\"delta\":{\"content\":\"b\"}}]}\n\n"
      "data: {\"choices\":[{\"delta\":{\"tool_calls\":[{\"index\":0,\"id\":\"c\",\"function\":"
      "{\"name\":\"f\",\"arguments\":{\"x\":1}}}]},\"finish_reason\":\"tool_calls\"}]}\n\n",
      r);
  const std::vector<std::string> expected = {"text:a", "text:b", "tool:0:c:f", "args:0:{\"x\":1}",
                                             "finish:tool_calls"};
  EXPECT_EQ(r.seen, expected);
}

}  // namespace
}  // namespace fleetgate
