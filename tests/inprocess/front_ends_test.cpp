// The client dialects other than OpenAI's in front of in-process fake backends: they fail over
// before the first byte exactly as chat completions do, answer errors in their own shape, pass
// through to deployments of their own dialect, and end a broken stream in their error event.
#include "support/fake_upstream.h"
#include "support/http_client.h"
#include "support/in_process.h"

#include <gtest/gtest.h>
#include <boost/json.hpp>

#include <fstream>
#include <iterator>

namespace fleetgate::test {
namespace {

namespace json = boost::json;

const std::string kMessage =
    R"({"model":"claude-sonnet-4-5","max_tokens":64,"messages":[{"role":"user","content":"hi"}]})";

std::string deployment(const FakeUpstream& up, const std::string& model = "openai/x") {
  return "  - model_name: \"claude-*\"\n    litellm_params:\n      model: " + model +
         "\n      api_base: " + up.base() + "\n";
}

HttpResponse post(const InProcessGateway& g, const std::string& path, const std::string& body,
                  const std::map<std::string, std::string>& headers = {}) {
  return http_request(g.port, "POST", path, body, headers);
}

}  // namespace

TEST(FrontEnds, MessagesFailOverBeforeTheFirstByte) {
  FakeUpstream broken, good;
  broken.always(FakeReply::error(500, "boom"));
  auto g = start_in_process("model_list:\n" + deployment(broken) + deployment(good) +
                            "router_settings: {num_retries: 1, allowed_fails: 100}\n");
  for (int i = 0; i < 4; ++i) {
    auto r = post(g, "/v1/messages", kMessage);
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(json::parse(r.body).at("type"), "message");
    EXPECT_EQ(r.headers["x-fleetgate-deployment"], "claude-*#2");
  }
  EXPECT_EQ(good.count(), 4u);
  EXPECT_EQ(good.received().front().target, "/v1/chat/completions");
}

TEST(FrontEnds, ErrorsComeInEachDialectsShape) {
  FakeUpstream overloaded;
  overloaded.always(FakeReply::error(503, "overloaded"));
  auto g = start_in_process("model_list:\n" + deployment(overloaded) +
                            "general_settings: {master_key: sk-k}\n");
  const std::map<std::string, std::string> key = {{"x-api-key", "sk-k"}};
  auto r = post(g, "/v1/messages", kMessage, key);
  EXPECT_EQ(r.status, 529);  // Anthropic's "overloaded": its clients retry it
  EXPECT_EQ(json::parse(r.body).at("error").at("type"), "overloaded_error");
  EXPECT_EQ(json::parse(r.body).at("error").at("message"), "overloaded");
  auto ollama =
      post(g, "/api/chat",
           R"({"model":"claude-x","stream":false,"messages":[{"role":"user","content":"x"}]})",
           {{"Authorization", "Bearer sk-k"}});
  EXPECT_EQ(ollama.status, 503);
  EXPECT_EQ(ollama.body, R"({"error":"overloaded"})");
  auto unauthorized = post(g, "/v1/messages", kMessage, {{"x-api-key", "sk-wrong"}});
  EXPECT_EQ(unauthorized.status, 401);
  EXPECT_EQ(json::parse(unauthorized.body).at("error").at("type"), "authentication_error");
  auto unknown = post(g, "/api/generate", R"({"model":"nothing","prompt":"x"})",
                      {{"Authorization", "Bearer sk-k"}});
  EXPECT_EQ(unknown.status, 404);
  EXPECT_TRUE(json::parse(unknown.body).at("error").is_string());
  auto malformed = post(g, "/v1/responses", "{\"model\":", {{"Authorization", "Bearer sk-k"}});
  EXPECT_EQ(malformed.status, 400);
  EXPECT_TRUE(json::parse(malformed.body).at("error").at("message").is_string());
}

TEST(FrontEnds, NativeDeploymentsGetTheBodyAndTheHeaders) {
  FakeUpstream anthropic;
  auto g = start_in_process("model_list:\n" + deployment(anthropic, "anthropic/claude-real"));
  const std::string body =
      R"({"model":"claude-sonnet-4-5","max_tokens":64,"thinking":{"type":"enabled"},)"
      R"("messages":[{"role":"user","content":[{"type":"text","text":"hi","cache_control":{"type":"ephemeral"}}]}]})";
  auto r = post(g, "/v1/messages?beta=true", body,
                {{"anthropic-version", "2023-06-01"}, {"anthropic-beta", "interleaved-thinking"}});
  ASSERT_EQ(r.status, 200) << r.body;
  ASSERT_EQ(anthropic.count(), 1u);
  const auto seen = anthropic.received().front();
  EXPECT_EQ(seen.target, "/v1/messages");
  EXPECT_EQ(seen.headers.at("anthropic-beta"), "interleaved-thinking");
  EXPECT_EQ(seen.headers.at("anthropic-version"), "2023-06-01");
  // Untouched but for the model.
  std::string expected = body;
  expected.replace(expected.find("claude-sonnet-4-5"), 17, "claude-real");
  EXPECT_EQ(seen.body, expected);
  EXPECT_EQ(r.headers.count("x-fleetgate-dropped"), 0u);
}

TEST(FrontEnds, ABrokenStreamEndsInTheDialectsErrorEvent) {
  FakeUpstream breaks;
  FakeReply r = FakeReply::stream({"one", "two", "three"});
  r.break_after = 1;
  breaks.always(r);
  auto g = start_in_process("model_list:\n" + deployment(breaks));
  auto messages =
      post(g, "/v1/messages", R"({"model":"claude-x","max_tokens":8,"stream":true,"messages":[]})");
  EXPECT_EQ(messages.status, 200);
  EXPECT_NE(messages.body.find("\"text\":\"one\""), std::string::npos);
  EXPECT_NE(messages.body.find("event: error\ndata: {\"type\":\"error\""), std::string::npos);
  EXPECT_EQ(messages.body.find("message_stop"), std::string::npos);
  auto responses = post(g, "/v1/responses", R"({"model":"claude-x","input":"hi","stream":true})");
  EXPECT_NE(responses.body.find("event: response.failed"), std::string::npos);
  auto ollama = post(g, "/api/chat", R"({"model":"claude-x","messages":[]})");
  EXPECT_EQ(ollama.headers["content-type"], "application/x-ndjson");
  EXPECT_NE(ollama.body.find("\n{\"error\":"), std::string::npos);
}

TEST(FrontEnds, DroppedFieldsAreNamed) {
  FakeUpstream up;
  auto g = start_in_process("model_list:\n" + deployment(up));
  auto r = post(g, "/v1/responses",
                R"({"model":"claude-x","input":"hi","reasoning":{"effort":"high"},"include":[],)"
                R"("tools":[{"type":"web_search"}]})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.headers["x-fleetgate-dropped"], "tools.web_search,reasoning,include");
  const auto sent = json::parse(up.received().front().body).as_object();
  EXPECT_FALSE(sent.contains("reasoning"));
  EXPECT_FALSE(sent.contains("tools"));
}

}  // namespace fleetgate::test

namespace fleetgate::test {
namespace {

std::string fixture(const std::string& name) {
  std::ifstream in(std::string(FLEETGATE_SOURCE_DIR) + "/tests/fixtures/clients/" + name);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

}  // namespace

// A request as Claude Code sends it (system blocks with cache_control, its tools, a tool round
// trip, a server tool, ?beta=true): a well-formed Anthropic stream comes back from a chat backend.
TEST(FrontEnds, ClaudeCodesOwnTraffic) {
  FakeUpstream up;
  auto g = start_in_process("model_list:\n" + deployment(up));
  const std::string body = fixture("claude_code_messages.json");
  ASSERT_FALSE(body.empty());
  auto r = post(g, "/v1/messages?beta=true", body,
                {{"anthropic-version", "2023-06-01"},
                 {"anthropic-beta", "claude-code-20250219,interleaved-thinking-2025-05-14"}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.headers["content-type"], "text/event-stream");
  EXPECT_TRUE(r.body.starts_with("event: message_start\n"));
  EXPECT_TRUE(r.body.ends_with("event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n"));
  EXPECT_EQ(r.headers["x-fleetgate-dropped"], "tools.web_search");
  const auto sent = json::parse(up.received().front().body).as_object();
  EXPECT_EQ(sent.at("tools").as_array().size(), 5u);
  EXPECT_EQ(sent.at("max_tokens"), 32000);
  const auto& m = sent.at("messages").as_array();
  ASSERT_EQ(m.size(), 5u);  // system, user, assistant with the call, its result, the user's text
  EXPECT_EQ(m[2].at("tool_calls").at(0).at("function").at("name"), "Bash");
  EXPECT_EQ(m[3].at("role"), "tool");
  EXPECT_EQ(m[3].at("content"), "gateway\nrouting\n");
}

// A request as Codex CLI sends it (reasoning, include, encrypted reasoning items, a custom and a
// hosted tool, store: false): the function tools and the call's output go through, the rest is
// named as dropped, and the stream ends in response.completed.
TEST(FrontEnds, CodexCLIsOwnTraffic) {
  FakeUpstream up;
  auto g = start_in_process(
      "model_list:\n  - model_name: gpt-5-codex\n    litellm_params:\n"
      "      model: openai/x\n      api_base: " +
      up.base() + "\n");
  auto r = post(g, "/v1/responses", fixture("codex_responses.json"));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.body.find("event: response.created\n"), std::string::npos);
  EXPECT_NE(r.body.find("event: response.completed\n"), std::string::npos);
  EXPECT_EQ(r.headers["x-fleetgate-dropped"],
            "input.reasoning,tools.custom,tools.web_search,text.verbosity,reasoning,include,"
            "prompt_cache_key");
  const auto sent = json::parse(up.received().front().body).as_object();
  EXPECT_EQ(sent.at("tools").as_array().size(), 2u);
  EXPECT_EQ(sent.at("parallel_tool_calls"), false);
  const auto& m = sent.at("messages").as_array();
  EXPECT_EQ(m.back().at("role"), "tool");
  EXPECT_EQ(m.back().at("tool_call_id"), "call_Xk2");
  auto kept = http_request(g.port, "GET", "/v1/responses/resp_x");
  EXPECT_EQ(kept.status, 404);
}

}  // namespace fleetgate::test

namespace fleetgate::test {

// count_tokens without a deployment that counts: an estimate, said so; and its error paths.
// GET and DELETE of a response that is not kept: 404 in OpenAI's shape.
TEST(FrontEnds, CountTokensAndKeptResponsesErrorPaths) {
  FakeUpstream up;
  auto g = start_in_process("model_list:\n" + deployment(up));
  auto counted = post(g, "/v1/messages/count_tokens",
                      R"({"model":"claude-x","messages":[{"role":"user","content":"how long?"}]})");
  ASSERT_EQ(counted.status, 200) << counted.body;
  EXPECT_EQ(counted.headers["x-fleetgate-estimate"], "true");
  EXPECT_GT(json::parse(counted.body).at("input_tokens").as_int64(), 0);
  EXPECT_EQ(up.count(), 0u);  // nothing asked of the backend
  auto no_model = post(g, "/v1/messages/count_tokens", R"({"messages":[]})");
  EXPECT_EQ(no_model.status, 400);
  EXPECT_EQ(json::parse(no_model.body).at("error").at("type"), "invalid_request_error");
  auto unknown = post(g, "/v1/messages/count_tokens", R"({"model":"gpt-x","messages":[]})");
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(json::parse(unknown.body).at("error").at("type"), "not_found_error");
  auto malformed = post(g, "/v1/messages/count_tokens", "{\"model\":");
  EXPECT_EQ(malformed.status, 400);
  for (const char* method : {"GET", "DELETE"}) {
    auto gone = http_request(g.port, method, "/v1/responses/resp_nothing");
    EXPECT_EQ(gone.status, 404) << method;
    EXPECT_EQ(json::parse(gone.body).at("error").at("code"), "not_found");
  }
}

}  // namespace fleetgate::test
