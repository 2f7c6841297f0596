// OpenAI <-> Anthropic Messages API translation, both ways and for streams.
#include "openai/anthropic.h"
#include "openai/sse.h"

#include <gtest/gtest.h>
#include <boost/json.hpp>

#include <cstring>

namespace fleetgate {
namespace {

namespace json = boost::json;

json::object request(std::string_view body) {
  auto r = to_anthropic_request("claude-sonnet", body);
  EXPECT_TRUE(r) << (r ? "" : r.error().message);
  return r ? json::parse(*r).as_object() : json::object{};
}

TEST(Anthropic, SystemMessagesRolesAndDefaults) {
  auto o = request(R"({"model":"frontier","messages":[
    {"role":"system","content":"Be brief."},{"role":"system","content":"Answer in French."},
    {"role":"user","content":"hi"},{"role":"user","content":[{"type":"text","text":"there"}]},
    {"role":"assistant","content":"Bonjour"},{"role":"user","content":"again"}],
    "stop":"END","temperature":0.2,"user":"u-1"})");
  EXPECT_EQ(o.at("model"), "claude-sonnet");
  EXPECT_EQ(o.at("system"), "Be brief.\n\nAnswer in French.");
  EXPECT_EQ(o.at("max_tokens"), 4096);
  EXPECT_EQ(o.at("stop_sequences"), json::array{"END"});
  EXPECT_EQ(o.at("temperature"), 0.2);
  EXPECT_EQ(o.at("metadata").at("user_id"), "u-1");
  const auto& msgs = o.at("messages").as_array();
  ASSERT_EQ(msgs.size(), 3u);  // the two user messages merged: roles alternate
  EXPECT_EQ(msgs[0].at("role"), "user");
  EXPECT_EQ(msgs[0].at("content").as_array().size(), 2u);
  EXPECT_EQ(msgs[1].at("role"), "assistant");
  EXPECT_FALSE(o.contains("stream"));
}

TEST(Anthropic, ImagesToolsAndToolResults) {
  auto o = request(R"({"model":"f","max_tokens":50,"stream":true,"messages":[
    {"role":"user","content":[{"type":"image_url","image_url":{"url":"data:image/png;base64,iVBOR"}},
                              {"type":"image_url","image_url":{"url":"https://x/cat.jpg"}}]},
    {"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function",
      "function":{"name":"weather","arguments":"{\"city\":\"Oslo\"}"}}]},
    {"role":"tool","tool_call_id":"call_1","content":"12 C"}],
    "tools":[{"type":"function","function":{"name":"weather","description":"Weather now",
      "parameters":{"type":"object","properties":{"city":{"type":"string"}}}}}]})");
  EXPECT_EQ(o.at("max_tokens"), 50);
  EXPECT_EQ(o.at("stream"), true);
  const auto& msgs = o.at("messages").as_array();
  ASSERT_EQ(msgs.size(), 3u);
  const auto& image = msgs[0].at("content").as_array()[0];
  EXPECT_EQ(image.at("source").at("type"), "base64");
  EXPECT_EQ(image.at("source").at("media_type"), "image/png");
  EXPECT_EQ(image.at("source").at("data"), "iVBOR");
  EXPECT_EQ(msgs[0].at("content").as_array()[1].at("source").at("url"), "https://x/cat.jpg");
  const auto& use = msgs[1].at("content").as_array()[0];
  EXPECT_EQ(use.at("type"), "tool_use");
  EXPECT_EQ(use.at("input").at("city"), "Oslo");
  const auto& result = msgs[2].at("content").as_array()[0];
  EXPECT_EQ(result.at("type"), "tool_result");
  EXPECT_EQ(result.at("tool_use_id"), "call_1");
  EXPECT_EQ(o.at("tools").as_array()[0].at("input_schema").at("properties").at("city").at("type"),
            "string");
}

TEST(Anthropic, BadRequestsAreRefused) {
  EXPECT_FALSE(to_anthropic_request("m", "[]"));
  EXPECT_FALSE(to_anthropic_request("m", R"({"messages":[{"role":"system","content":"x"}]})"));
  auto bad_image = to_anthropic_request(
      "m",
      R"({"messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"data:nope"}}]}]})");
  ASSERT_FALSE(bad_image);
  EXPECT_EQ(bad_image.error().code, Errc::BadRequest);
}

// Found by fuzz_anthropic: an image in a system or developer message threw std::out_of_range
// (no answer, and the deployment's in-flight count leaked); usage and max_tokens outside what an
// integer holds were undefined behaviour.
TEST(Anthropic, HostileNumbersAndImagesInSystemMessages) {
  for (const char* role : {"system", "developer"}) {
    auto r = to_anthropic_request(
        "m",
        std::string(R"({"messages":[{"role":")") + role +
            R"(","content":[{"type":"image_url","image_url":{"url":"https://x/y.png"}}]},{"role":"user","content":"hi"}]})");
    ASSERT_FALSE(r) << role;
    EXPECT_EQ(r.error().code, Errc::BadRequest);
  }
  for (const char* n : {"1e300", "-5", "0", "1.5e19"}) {
    auto r = to_anthropic_request("m", std::string(R"({"max_tokens":)") + n +
                                           R"(,"messages":[{"role":"user","content":"hi"}]})");
    ASSERT_TRUE(r) << n;
    const auto max = json::parse(*r).at("max_tokens").to_number<double>();
    EXPECT_GE(max, 1) << n;
    EXPECT_LE(max, 4294967296.0) << n;
  }
  ResponseMeta meta{"chatcmpl-1", 7, "m", false};
  auto huge = from_anthropic_response(
      R"({"content":[],"usage":{"input_tokens":-3,"output_tokens":1e300}})", meta);
  ASSERT_TRUE(huge);
  EXPECT_EQ(huge->usage->prompt_tokens, 0u);
  EXPECT_EQ(huge->usage->completion_tokens, std::uint64_t{1} << 48);
  AnthropicStreamTranslator t(meta);
  std::string out;
  t.on_event("message_start",
             R"({"type":"message_start","message":{"usage":{"input_tokens":-1e20}}})", out);
  t.on_event("message_delta", R"({"type":"message_delta","usage":{"output_tokens":1e40}})", out);
  EXPECT_EQ(t.usage()->prompt_tokens, 0u);
  EXPECT_EQ(t.usage()->completion_tokens, std::uint64_t{1} << 48);
}

// A backend's error body may hold any bytes: the client always gets JSON, and valid UTF-8.
TEST(Anthropic, BackendErrorBytesBecomeValidJson) {
  const std::string body = "{\"type\":\"error\",\"error\":{\"message\":\"bad \xff\xfe bytes\"}}";
  const std::string out = anthropic_error_to_openai(500, body);
  boost::system::error_code ec;
  const auto v = json::parse(out, ec);
  ASSERT_FALSE(ec) << out;
  EXPECT_NE(std::string(v.at("error").at("message").as_string()).find("\xEF\xBF\xBD"),
            std::string::npos);
  const std::string raw = anthropic_error_to_openai(502, "not json \xc3");
  EXPECT_FALSE((json::parse(raw, ec), ec)) << raw;
}

TEST(Anthropic, ResponsesBecomeChatCompletions) {
  ResponseMeta meta{"chatcmpl-1", 7, "frontier", false};
  auto r = from_anthropic_response(
      R"({"id":"msg_1","type":"message","role":"assistant","content":[{"type":"text","text":"Hi "},{"type":"text","text":"there"},
          {"type":"tool_use","id":"toolu_1","name":"weather","input":{"city":"Oslo"}}],
          "stop_reason":"tool_use","usage":{"input_tokens":12,"output_tokens":5}})",
      meta);
  ASSERT_TRUE(r);
  auto o = json::parse(r->body).as_object();
  EXPECT_EQ(o.at("model"), "frontier");
  const auto& choice = o.at("choices").as_array()[0];
  EXPECT_EQ(choice.at("message").at("content"), "Hi there");
  EXPECT_EQ(choice.at("finish_reason"), "tool_calls");
  EXPECT_EQ(choice.at("message").at("tool_calls").as_array()[0].at("function").at("arguments"),
            R"({"city":"Oslo"})");
  EXPECT_EQ(o.at("usage").at("total_tokens"), 17);
  EXPECT_EQ(r->usage->completion_tokens, 5u);
  auto limit = from_anthropic_response(R"({"content":[],"stop_reason":"max_tokens"})", meta);
  EXPECT_EQ(json::parse(limit->body).at("choices").as_array()[0].at("finish_reason"), "length");
  EXPECT_FALSE(from_anthropic_response("oops", meta));
}

TEST(Anthropic, ErrorsBecomeOpenAIErrors) {
  auto e = json::parse(anthropic_error_to_openai(
      529, R"({"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}})"));
  EXPECT_EQ(e.at("error").at("message"), "Overloaded");
  EXPECT_EQ(e.at("error").at("type"), "api_error");
  EXPECT_EQ(e.at("error").at("code"), "overloaded_error");
}

const char* kStream =
    "event: message_start\ndata: "
    "{\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"usage\":{\"input_tokens\":9,"
    "\"output_tokens\":1}}}\n\n"
    "event: content_block_start\ndata: "
    "{\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":"
    "\"\"}}\n\n"
    "event: ping\ndata: {\"type\":\"ping\"}\n\n"
    "event: content_block_delta\ndata: "
    "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":"
    "\"Hel\"}}\n\n"
    "event: content_block_delta\ndata: "
    "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":"
    "\"lo\"}}\n\n"
    "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n"
    "event: message_delta\ndata: "
    "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\"},\"usage\":{\"output_"
    "tokens\":2}}\n\n"
    "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n";

std::string translate(std::string_view bytes, std::size_t split, bool include_usage) {
  AnthropicStreamTranslator t(ResponseMeta{"chatcmpl-2", 1, "frontier", include_usage});
  SseDecoder decoder;
  std::string out;
  auto feed = [&](std::string_view piece) {
    decoder.feed(piece, [&](const SseEvent& e) { t.on_event(e.event, e.data, out); });
  };
  feed(bytes.substr(0, split));
  feed(bytes.substr(split));
  t.finish(out);
  return out;
}

TEST(Anthropic, StreamsBecomeChunksWhereverTheBytesSplit) {
  const std::string whole = translate(kStream, 0, true);
  for (std::size_t split = 1; split < std::strlen(kStream); ++split)
    ASSERT_EQ(translate(kStream, split, true), whole) << "split at " << split;
  std::string text;
  std::string finish;
  int chunks = 0;
  std::size_t pos = 0;
  while ((pos = whole.find("data: ", pos)) != std::string::npos) {
    const auto end = whole.find("\n\n", pos);
    const std::string data = whole.substr(pos + 6, end - pos - 6);
    pos = end;
    if (data == "[DONE]") break;
    ++chunks;
    auto o = json::parse(data).as_object();
    if (o.at("choices").as_array().empty()) {
      EXPECT_EQ(o.at("usage").at("prompt_tokens"), 9);
      EXPECT_EQ(o.at("usage").at("completion_tokens"), 2);
      continue;
    }
    const auto& c = o.at("choices").as_array()[0].as_object();
    if (const auto* t = c.at("delta").as_object().if_contains("content")) text += t->as_string();
    if (c.at("finish_reason").is_string()) finish = c.at("finish_reason").as_string();
  }
  EXPECT_EQ(text, "Hello");
  EXPECT_EQ(finish, "stop");
  EXPECT_EQ(chunks, 5);  // role, two deltas, the finish chunk, usage
  EXPECT_TRUE(whole.ends_with("data: [DONE]\n\n"));
}

TEST(Anthropic, ATruncatedStreamEndsWithAnError) {
  const std::string partial(kStream, std::strstr(kStream, "event: message_delta") - kStream);
  const std::string out = translate(partial, 0, false);
  EXPECT_NE(out.find("upstream_stream_truncated"), std::string::npos);
  EXPECT_EQ(out.find("[DONE]"), std::string::npos);
}

}  // namespace
}  // namespace fleetgate
