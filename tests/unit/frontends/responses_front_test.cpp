// The Responses API in front: items and tools to a chat, answers and typed events back, and what
// is kept for previous_response_id.
#include "frontends/responses_front.h"

#include "front_fixtures.h"

#include <gtest/gtest.h>
#include <boost/json.hpp>

namespace fleetgate {
namespace {

namespace json = boost::json;

const PreviousLookup kNone = [](std::string_view) { return std::optional<std::string>(); };

std::unique_ptr<FrontCall> make(std::string_view body, const PreviousLookup* previous = &kNone) {
  auto call = responses_front(FrontInput{
      .path = "/v1/responses", .body = body, .request_id = "r1", .now = 77, .previous = previous});
  EXPECT_TRUE(call) << (call ? "" : call.error().message);
  return call ? std::move(*call) : nullptr;
}

json::object internal(const FrontCall& c) { return json::parse(c.internal).as_object(); }

// The `data:` objects of an event stream, in order.
std::vector<json::object> events(const std::string& out) {
  std::vector<json::object> all;
  std::size_t at = 0;
  while ((at = out.find("data: ", at)) != std::string::npos) {
    const auto end = out.find('\n', at);
    all.push_back(json::parse(out.substr(at + 6, end - at - 6)).as_object());
    at = end;
  }
  return all;
}

TEST(ResponsesFront, CodexShapedRequest) {
  auto c = make(R"({"model":"gpt-oss","instructions":"You are Codex.","store":false,"stream":true,
    "reasoning":{"effort":"medium","summary":"auto"},"include":["reasoning.encrypted_content"],
    "prompt_cache_key":"k","parallel_tool_calls":false,"tool_choice":"auto",
    "tools":[{"type":"function","name":"shell","description":"Run","strict":false,
              "parameters":{"type":"object"}},{"type":"web_search"},{"type":"local_shell"}],
    "text":{"format":{"type":"json_schema","name":"out","schema":{"type":"object"},"strict":true}},
    "max_output_tokens":100,"temperature":0.2,
    "input":[{"type":"message","role":"developer","content":[{"type":"input_text","text":"rules"}]},
      {"type":"message","role":"user","content":[{"type":"input_text","text":"ls"},
        {"type":"input_image","image_url":"data:image/png;base64,AA"}]},
      {"type":"reasoning","summary":[],"encrypted_content":"xyz"},
      {"type":"function_call","call_id":"call_1","name":"shell","arguments":"{\"command\":[\"ls\"]}"},
      {"type":"function_call","call_id":"call_2","name":"shell","arguments":""},
      {"type":"function_call_output","call_id":"call_1","output":"a.txt"},
      {"role":"user","content":"next"}]})");
  ASSERT_TRUE(c);
  const json::object o = internal(*c);
  EXPECT_EQ(o.at("max_tokens"), 100);
  EXPECT_EQ(o.at("temperature"), 0.2);
  EXPECT_EQ(o.at("parallel_tool_calls"), false);
  EXPECT_EQ(o.at("tool_choice"), "auto");
  EXPECT_EQ(o.at("tools").as_array().size(), 1u);
  EXPECT_EQ(o.at("tools").at(0).at("function").at("name"), "shell");
  EXPECT_EQ(o.at("response_format").at("json_schema").at("name"), "out");
  EXPECT_EQ(o.at("stream_options").at("include_usage"), true);
  const auto& m = o.at("messages").as_array();
  ASSERT_EQ(m.size(), 6u);
  EXPECT_EQ(m[0].at("content"), "You are Codex.");
  EXPECT_EQ(m[1].at("role"), "system");  // developer
  EXPECT_EQ(m[2].at("content").at(1).at("type"), "image_url");
  EXPECT_EQ(m[3].at("tool_calls").as_array().size(), 2u);  // calls in a row: one turn
  EXPECT_EQ(m[3].at("tool_calls").at(1).at("function").at("arguments"), "{}");
  EXPECT_EQ(m[4].at("role"), "tool");
  EXPECT_EQ(m[4].at("tool_call_id"), "call_1");
  EXPECT_EQ(m[5].at("content"), "next");
  EXPECT_EQ(c->dropped,
            "input.reasoning,tools.web_search,tools.local_shell,reasoning,include,"
            "prompt_cache_key");
}

TEST(ResponsesFront, BadRequests) {
  auto refused = [](std::string_view body) {
    auto c = responses_front(FrontInput{.path = "/v1/responses", .body = body, .previous = &kNone});
    return c ? Errc::Internal : c.error().code;
  };
  EXPECT_EQ(refused(R"({"model":"m"})"), Errc::BadRequest);
  EXPECT_EQ(refused(R"({"model":"m","input":5})"), Errc::BadRequest);
  EXPECT_EQ(refused(R"({"model":"m","input":[{"type":"message","role":"tool","content":"x"}]})"),
            Errc::BadRequest);
  EXPECT_EQ(refused(R"({"model":"m","input":[]})"), Errc::BadRequest);
  EXPECT_EQ(refused(R"({"model":"m","input":"x","previous_response_id":"resp_gone"})"),
            Errc::NotFound);
}

TEST(ResponsesFront, WholeAnswerAndWhatIsKept) {
  auto c = make(R"({"model":"local","input":"hi","instructions":"brief","metadata":{"k":"v"}})");
  auto a = c->answer(R"({"choices":[{"message":{"content":"Hello","tool_calls":[{"id":"call_7",
    "function":{"name":"f","arguments":"{}"}}]},"finish_reason":"tool_calls"}],
    "usage":{"prompt_tokens":4,"completion_tokens":6}})");
  ASSERT_TRUE(a);
  const json::object r = json::parse(*a).as_object();
  EXPECT_EQ(r.at("id"), "resp_r1");
  EXPECT_EQ(r.at("object"), "response");
  EXPECT_EQ(r.at("created_at"), 77);
  EXPECT_EQ(r.at("status"), "completed");
  EXPECT_EQ(r.at("instructions"), "brief");
  EXPECT_EQ(r.at("metadata").at("k"), "v");
  EXPECT_EQ(r.at("output").at(0).at("content").at(0).at("text"), "Hello");
  EXPECT_EQ(r.at("output").at(1).at("type"), "function_call");
  EXPECT_EQ(r.at("output").at(1).at("call_id"), "call_7");
  EXPECT_EQ(r.at("usage").at("total_tokens"), 10);
  auto kept = c->to_store();
  ASSERT_TRUE(kept);
  EXPECT_EQ(kept->id, "resp_r1");
  EXPECT_EQ(kept->created_ms, 77000);
  const auto conversation = json::parse(kept->messages).as_array();
  ASSERT_EQ(conversation.size(), 2u);  // the instructions are not carried over
  EXPECT_EQ(conversation[1].at("role"), "assistant");
  EXPECT_EQ(conversation[1].at("tool_calls").at(0).at("id"), "call_7");

  // previous_response_id brings that conversation back
  const PreviousLookup lookup = [&](std::string_view id) -> std::optional<std::string> {
    if (id == "resp_r1") return kept->messages;
    return std::nullopt;
  };
  auto next = make(R"({"model":"local","input":"more","previous_response_id":"resp_r1"})", &lookup);
  const json::object next_internal = internal(*next);
  const auto& m = next_internal.at("messages").as_array();
  ASSERT_EQ(m.size(), 3u);
  EXPECT_EQ(m[0].at("content"), "hi");
  EXPECT_EQ(m[2].at("content"), "more");

  auto unstored = make(R"({"model":"local","input":"hi","store":false})");
  ASSERT_TRUE(unstored->answer(R"({"choices":[{"message":{"content":"x"}}]})"));
  EXPECT_FALSE(unstored->to_store());
  auto cut = make(R"({"model":"local","input":"hi"})");
  auto incomplete =
      cut->answer(R"({"choices":[{"message":{"content":"x"},"finish_reason":"length"}]})");
  EXPECT_EQ(json::parse(*incomplete).at("status"), "incomplete");
  EXPECT_EQ(json::parse(*incomplete).at("incomplete_details").at("reason"), "max_output_tokens");
}

TEST(ResponsesFront, StreamEventsAtEverySplit) {
  const std::string out = testing::same_at_every_split(
      [] { return make(R"({"model":"local","input":"hi","stream":true})"); },
      testing::kTextThenTool);
  const auto all = events(out);
  std::vector<std::string> types;
  for (std::size_t i = 0; i < all.size(); ++i) {
    types.emplace_back(all[i].at("type").as_string());
    EXPECT_EQ(all[i].at("sequence_number"), i);
  }
  const std::vector<std::string> expected = {"response.created",
                                             "response.in_progress",
                                             "response.output_item.added",
                                             "response.content_part.added",
                                             "response.output_text.delta",
                                             "response.output_text.delta",
                                             "response.output_text.done",
                                             "response.content_part.done",
                                             "response.output_item.done",
                                             "response.output_item.added",
                                             "response.function_call_arguments.delta",
                                             "response.function_call_arguments.delta",
                                             "response.function_call_arguments.done",
                                             "response.output_item.done",
                                             "response.completed"};
  EXPECT_EQ(types, expected);
  EXPECT_EQ(all[6].at("text"), "Hello \xc3\xa9");
  EXPECT_EQ(all[12].at("arguments"), "{\"q\":\"fleet\"}");
  const auto& done = all.back().at("response");
  EXPECT_EQ(done.at("status"), "completed");
  EXPECT_EQ(done.at("output").as_array().size(), 2u);
  EXPECT_EQ(done.at("usage").at("output_tokens"), 7);
  EXPECT_NE(out.find("event: response.completed\n"), std::string::npos);
}

TEST(ResponsesFront, StreamFailuresAndLength) {
  const std::string failed = testing::same_at_every_split(
      [] { return make(R"({"model":"local","input":"hi","stream":true})"); },
      testing::kErrorAfterFirst);
  const auto all = events(failed);
  EXPECT_EQ(all.back().at("type"), "response.failed");
  EXPECT_EQ(all.back().at("response").at("error").at("message"), "out of memory");
  const std::string cut = testing::same_at_every_split(
      [] { return make(R"({"model":"local","input":"hi","stream":true})"); },
      testing::kTextCutByLength);
  EXPECT_EQ(events(cut).back().at("type"), "response.incomplete");
  auto c = make(R"({"model":"local","input":"hi","stream":true})");
  std::string out;
  c->stream_fail(Error(Errc::UpstreamUnreachable, "gone"), out);
  EXPECT_EQ(events(out).front().at("type"), "response.created");
  EXPECT_EQ(events(out).back().at("type"), "response.failed");
  EXPECT_FALSE(c->stream_complete());
  EXPECT_FALSE(c->to_store());
}

TEST(ResponsesFront, NativeAndErrors) {
  auto c = make(R"({"model":"local","input":"hi"})");
  Deployment d;
  d.api_base.base_path = "/v1";
  EXPECT_FALSE(c->native_path(d));
  d.native_responses = true;
  EXPECT_EQ(c->native_path(d), "/v1/responses");
  auto u = c->native_usage(R"({"type":"response.completed","response":{"usage":{
    "input_tokens":3,"output_tokens":4}}})");
  ASSERT_TRUE(u);
  EXPECT_EQ(u->completion_tokens, 4u);
  const auto e = json::parse(c->error_body(500, "boom"));
  EXPECT_EQ(e.at("error").at("message"), "boom");
  EXPECT_EQ(e.at("error").at("type"), "api_error");
}

}  // namespace
}  // namespace fleetgate
