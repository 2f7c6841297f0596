// Anthropic's Messages API in front: requests to chat completions, answers and streams back.
#include "frontends/anthropic_front.h"

#include "front_fixtures.h"

#include <gtest/gtest.h>
#include <boost/json.hpp>

namespace fleetgate {
namespace {

namespace json = boost::json;

std::unique_ptr<FrontCall> make(std::string_view body, std::string_view path = "/v1/messages") {
  FrontInput in{.path = path, .body = body, .request_id = "r1", .now = 1000};
  auto call = anthropic_front(in);
  EXPECT_TRUE(call) << (call ? "" : call.error().message);
  return call ? std::move(*call) : nullptr;
}

json::object internal(const FrontCall& c) { return json::parse(c.internal).as_object(); }

TEST(AnthropicFront, RequestBecomesAChat) {
  auto c = make(R"({"model":"claude-sonnet-4-5","max_tokens":512,"temperature":0.5,"top_p":0.9,
    "system":[{"type":"text","text":"Be brief.","cache_control":{"type":"ephemeral"}},
              {"type":"text","text":"Use French."}],
    "stop_sequences":["END"],"metadata":{"user_id":"u-1"},"stream":true,
    "thinking":{"type":"enabled","budget_tokens":1024},
    "messages":[
      {"role":"user","content":"hi"},
      {"role":"assistant","content":[{"type":"thinking","thinking":"hm","signature":"s"},
        {"type":"text","text":"Let me look."},
        {"type":"tool_use","id":"toolu_1","name":"search","input":{"q":"x"}}]},
      {"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_1",
        "content":[{"type":"text","text":"found"}]},{"type":"text","text":"thanks"},
        {"type":"image","source":{"type":"base64","media_type":"image/png","data":"AAAA"}}]}],
    "tools":[{"name":"search","description":"Search","input_schema":{"type":"object"}},
             {"type":"web_search_20250305","name":"web_search"}],
    "tool_choice":{"type":"any","disable_parallel_tool_use":true}})");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->model, "claude-sonnet-4-5");
  EXPECT_TRUE(c->stream);
  const json::object o = internal(*c);
  EXPECT_EQ(o.at("model"), "claude-sonnet-4-5");
  EXPECT_EQ(o.at("max_tokens"), 512);
  EXPECT_EQ(o.at("temperature"), 0.5);
  EXPECT_EQ(o.at("stop"), json::array{"END"});
  EXPECT_EQ(o.at("user"), "u-1");
  EXPECT_EQ(o.at("stream"), true);
  EXPECT_EQ(o.at("stream_options").at("include_usage"), true);
  EXPECT_EQ(o.at("tool_choice"), "required");
  EXPECT_EQ(o.at("parallel_tool_calls"), false);
  const auto& tools = o.at("tools").as_array();
  ASSERT_EQ(tools.size(), 1u);  // the server tool cannot run on our backends
  EXPECT_EQ(tools[0].at("function").at("parameters").at("type"), "object");
  const auto& m = o.at("messages").as_array();
  ASSERT_EQ(m.size(), 5u);
  EXPECT_EQ(m[0].at("role"), "system");
  EXPECT_EQ(m[0].at("content"), "Be brief.\nUse French.");
  EXPECT_EQ(m[1].at("content"), "hi");
  EXPECT_EQ(m[2].at("role"), "assistant");
  EXPECT_EQ(m[2].at("content"), "Let me look.");
  EXPECT_EQ(m[2].at("tool_calls").at(0).at("id"), "toolu_1");
  EXPECT_EQ(m[2].at("tool_calls").at(0).at("function").at("arguments"), "{\"q\":\"x\"}");
  EXPECT_EQ(m[3].at("role"), "tool");  // the result right after the call
  EXPECT_EQ(m[3].at("tool_call_id"), "toolu_1");
  EXPECT_EQ(m[3].at("content"), "found");
  EXPECT_EQ(m[4].at("role"), "user");
  const auto& parts = m[4].at("content").as_array();  // an image: content parts
  EXPECT_EQ(parts[1].at("image_url").at("url"), "data:image/png;base64,AAAA");
  EXPECT_EQ(c->dropped, "content.thinking,tools.web_search,thinking");
}

TEST(AnthropicFront, ToolChoicesAndErrors) {
  auto pick = [](std::string_view choice) {
    auto c =
        make(std::string(R"({"model":"m","max_tokens":5,"messages":[{"role":"user","content":"x"}],
      "tools":[{"name":"f","input_schema":{}}],"tool_choice":)") +
             std::string(choice) + "}");
    return json::serialize(internal(*c).at("tool_choice"));
  };
  EXPECT_EQ(pick(R"({"type":"auto"})"), "\"auto\"");
  EXPECT_EQ(pick(R"({"type":"none"})"), "\"none\"");
  EXPECT_EQ(pick(R"({"type":"tool","name":"f"})"),
            R"({"type":"function","function":{"name":"f"}})");
  auto refused = [](std::string_view body) {
    auto c = anthropic_front(FrontInput{.path = "/v1/messages", .body = body});
    EXPECT_FALSE(c) << body;
    return c ? Errc::Internal : c.error().code;
  };
  EXPECT_EQ(refused(R"({"model":"m","messages":[]})"), Errc::BadRequest);     // no max_tokens
  EXPECT_EQ(refused(R"({"max_tokens":1,"messages":[]})"), Errc::BadRequest);  // no model
  EXPECT_EQ(refused(R"({"model":"m","max_tokens":1})"), Errc::BadRequest);    // no messages
  EXPECT_EQ(refused(R"({"model":"m","max_tokens":1,"messages":[{"role":"system","content":"x"}]})"),
            Errc::BadRequest);
  EXPECT_EQ(refused(R"({"model":"m","max_tokens":1,"messages":[{"role":"user","content":[
    {"type":"image","source":{"type":"file"}}]}]})"),
            Errc::BadRequest);
  EXPECT_EQ(refused("{\"model\":\"m\",\"max_tokens\":1,\"messages\":[\"\xff\"]}"),
            Errc::BadRequest);  // not UTF-8
}

TEST(AnthropicFront, WholeAnswer) {
  auto c =
      make(R"({"model":"claude-x","max_tokens":5,"messages":[{"role":"user","content":"x"}]})");
  auto a = c->answer(R"({"choices":[{"message":{"content":"Sure.","tool_calls":[{"id":"call_9",
    "function":{"name":"f","arguments":"{\"a\":1}"}}]},"finish_reason":"tool_calls"}],
    "usage":{"prompt_tokens":9,"completion_tokens":4}})");
  ASSERT_TRUE(a);
  const json::object o = json::parse(*a).as_object();
  EXPECT_EQ(o.at("id"), "msg_r1");
  EXPECT_EQ(o.at("type"), "message");
  EXPECT_EQ(o.at("model"), "claude-x");
  EXPECT_EQ(o.at("stop_reason"), "tool_use");
  EXPECT_EQ(o.at("content").at(0).at("text"), "Sure.");
  EXPECT_EQ(o.at("content").at(1).at("type"), "tool_use");
  EXPECT_EQ(o.at("content").at(1).at("input").at("a"), 1);
  EXPECT_EQ(o.at("usage").at("input_tokens"), 9);
  EXPECT_EQ(o.at("usage").at("output_tokens"), 4);
  auto stop = [&](std::string_view choice) {
    auto r = c->answer(std::string(R"({"choices":[{"message":{"content":"x"},)") +
                       std::string(choice) + "}]}");
    return std::string(json::parse(*r).at("stop_reason").as_string());
  };
  EXPECT_EQ(stop(R"("finish_reason":"length")"), "max_tokens");
  EXPECT_EQ(stop(R"("finish_reason":"stop")"), "end_turn");
  EXPECT_EQ(stop(R"("finish_reason":"stop","stop_reason":"END")"), "stop_sequence");
  EXPECT_FALSE(c->answer("not json"));
}

TEST(AnthropicFront, StreamIsTheSameAtEverySplit) {
  const auto out = testing::same_at_every_split(
      [] { return make(R"({"model":"claude-x","max_tokens":5,"stream":true,"messages":[]})"); },
      testing::kTextThenTool);
  const std::string expected =
      "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_r1\","
      "\"type\":\"message\",\"role\":\"assistant\",\"model\":\"claude-x\",\"content\":[],"
      "\"stop_reason\":null,\"stop_sequence\":null,\"usage\":{\"input_tokens\":0,"
      "\"output_tokens\":0}}}\n\n"
      "event: ping\ndata: {\"type\":\"ping\"}\n\n"
      "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,"
      "\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n"
      "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,"
      "\"delta\":{\"type\":\"text_delta\",\"text\":\"Hel\"}}\n\n"
      "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,"
      "\"delta\":{\"type\":\"text_delta\",\"text\":\"lo \xc3\xa9\"}}\n\n"
      "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n"
      "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":1,"
      "\"content_block\":{\"type\":\"tool_use\",\"id\":\"call_1\",\"name\":\"search\","
      "\"input\":{}}}\n\n"
      "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":1,"
      "\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"{\\\"q\\\":\"}}\n\n"
      "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":1,"
      "\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"\\\"fleet\\\"}\"}}\n\n"
      "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":1}\n\n"
      "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":"
      "\"tool_use\",\"stop_sequence\":null},\"usage\":{\"input_tokens\":11,\"output_tokens\":7}}"
      "\n\n"
      "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n";
  EXPECT_EQ(out, expected);
}

TEST(AnthropicFront, StreamFailuresEndInAnErrorEvent) {
  auto c = make(R"({"model":"m","max_tokens":5,"stream":true,"messages":[]})");
  const std::string out = testing::same_at_every_split(
      [] { return make(R"({"model":"m","max_tokens":5,"stream":true,"messages":[]})"); },
      testing::kErrorAfterFirst);
  EXPECT_NE(out.find("text_delta"), std::string::npos);
  EXPECT_TRUE(out.ends_with(
      "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"api_error\",\"message\":"
      "\"out of memory\"}}\n\n"));
  EXPECT_EQ(out.find("message_stop"), std::string::npos);

  std::string cut;  // the backend's stream ended without its finish
  c->stream_feed("data: {\"choices\":[{\"delta\":{\"content\":\"a\"}}]}\n\n", cut);
  c->stream_end(cut);
  EXPECT_NE(cut.find("\"type\":\"error\""), std::string::npos);
  EXPECT_FALSE(c->stream_complete());

  auto timed_out = make(R"({"model":"m","max_tokens":5,"stream":true,"messages":[]})");
  std::string late;
  timed_out->stream_fail(Error(Errc::UpstreamTimeout, "too slow"), late);
  EXPECT_NE(late.find("event: message_start"), std::string::npos);  // the stream is well formed
  EXPECT_NE(late.find("\"type\":\"timeout_error\",\"message\":\"too slow\""), std::string::npos);
}

TEST(AnthropicFront, ErrorsNativeAndUsage) {
  auto c = make(R"({"model":"m","max_tokens":5,"messages":[]})");
  EXPECT_EQ(c->error_body(429, R"({"error":{"message":"slow down"}})"),
            R"({"type":"error","error":{"type":"rate_limit_error","message":"slow down"}})");
  EXPECT_EQ(c->error_status(503), 529);
  EXPECT_EQ(c->error_status(400), 400);
  Deployment d;
  d.provider = Provider::Anthropic;
  EXPECT_EQ(c->native_path(d), "/v1/messages");
  d.api_base.base_path = "/v1";
  EXPECT_EQ(c->native_path(d), "/v1/messages");
  d.provider = Provider::HostedVllm;
  EXPECT_FALSE(c->native_path(d));
  d.native_messages = true;  // model_info.supported_endpoints: [/v1/messages]
  EXPECT_EQ(c->native_path(d), "/v1/messages");
  auto counting = make(R"({"model":"m","messages":[]})", "/v1/messages/count_tokens");
  EXPECT_EQ(counting->native_path(d), "/v1/messages/count_tokens");
  EXPECT_FALSE(counting->stream);
  auto start = c->native_usage(
      R"({"type":"message_start","message":{"usage":{"input_tokens":12,"output_tokens":1}}})");
  ASSERT_TRUE(start);
  EXPECT_EQ(start->prompt_tokens, 12u);
  auto delta = c->native_usage(R"({"type":"message_delta","usage":{"output_tokens":30}})");
  EXPECT_EQ(delta->completion_tokens, 30u);
  EXPECT_FALSE(c->native_usage(R"({"type":"ping"})"));
}

TEST(AnthropicFront, ForwardsTheBetaHeader) {
  FrontInput in{.path = "/v1/messages",
                .body = R"({"model":"m","max_tokens":1,"messages":[]})",
                .anthropic_version = "2023-06-01",
                .anthropic_beta = "prompt-caching-2024-07-31"};
  auto c = anthropic_front(in);
  ASSERT_TRUE(c);
  EXPECT_EQ((*c)->native_headers(), "anthropic-beta: prompt-caching-2024-07-31\r\n");
}

TEST(AnthropicFront, TokenEstimate) {
  auto small = estimate_input_tokens(R"({"messages":[{"role":"user","content":"hi"}]})");
  auto big = estimate_input_tokens(R"({"system":")" + std::string(4000, 'a') +
                                   R"(","messages":[{"role":"user","content":[
      {"type":"image","source":{"type":"base64","data":")" +
                                   std::string(100000, 'A') + R"("}}]}],
      "tools":[{"name":"f","input_schema":{}}]})");
  ASSERT_TRUE(small);
  ASSERT_TRUE(big);
  EXPECT_LT(*small, 20u);
  EXPECT_GT(*big, 1000u + 1600u);
  EXPECT_LT(*big, 1000u + 1600u + 100u);  // the image's base64 does not count as text
  EXPECT_FALSE(estimate_input_tokens("[1]"));
}

}  // namespace
}  // namespace fleetgate
