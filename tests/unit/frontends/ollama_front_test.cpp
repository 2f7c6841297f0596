// Ollama's API in front: /api/chat, generate, embed and embeddings to the internal form and back.
#include "frontends/ollama_front.h"

#include "front_fixtures.h"

#include <gtest/gtest.h>
#include <boost/json.hpp>

namespace fleetgate {
namespace {

namespace json = boost::json;

std::unique_ptr<FrontCall> make(std::string_view path, std::string_view body) {
  auto call = ollama_front(FrontInput{.path = path, .body = body, .request_id = "r1", .now = 0});
  EXPECT_TRUE(call) << (call ? "" : call.error().message);
  return call ? std::move(*call) : nullptr;
}

json::object internal(const FrontCall& c) { return json::parse(c.internal).as_object(); }

TEST(OllamaFront, ChatBecomesAChat) {
  auto c = make("/api/chat", R"({"model":"qwen:latest","keep_alive":"5m","format":"json",
    "options":{"temperature":0.1,"num_predict":64,"num_ctx":8192,"stop":["x"],"seed":7},
    "tools":[{"type":"function","function":{"name":"f","parameters":{}}}],
    "messages":[{"role":"system","content":"sys"},
      {"role":"user","content":"look","images":["QUJD"]},
      {"role":"assistant","content":"","tool_calls":[{"function":{"name":"f","arguments":{"a":1}}}]},
      {"role":"tool","content":"42","tool_name":"f"}]})");
  ASSERT_TRUE(c);
  EXPECT_TRUE(c->stream);  // Ollama streams unless told not to
  EXPECT_EQ(c->kind, ApiKind::Chat);
  const json::object o = internal(*c);
  EXPECT_EQ(o.at("temperature"), 0.1);
  EXPECT_EQ(o.at("max_tokens"), 64);
  EXPECT_EQ(o.at("seed"), 7);
  EXPECT_EQ(o.at("response_format").at("type"), "json_object");
  EXPECT_EQ(o.at("stream_options").at("include_usage"), true);
  EXPECT_EQ(o.at("tools").as_array().size(), 1u);
  const auto& m = o.at("messages").as_array();
  ASSERT_EQ(m.size(), 4u);
  EXPECT_EQ(m[1].at("content").at(1).at("image_url").at("url"), "data:image/png;base64,QUJD");
  EXPECT_EQ(m[2].at("tool_calls").at(0).at("function").at("arguments"), "{\"a\":1}");
  EXPECT_EQ(m[3].at("tool_call_id"), m[2].at("tool_calls").at(0).at("id"));
  EXPECT_EQ(c->dropped, "options.num_ctx,keep_alive");
}

TEST(OllamaFront, GenerateEmbedAndFormats) {
  auto g = make("/api/generate",
                R"({"model":"m","prompt":"hi","system":"s","stream":false,
                    "format":{"type":"object","properties":{"a":{"type":"string"}}}})");
  EXPECT_FALSE(g->stream);
  const json::object o = internal(*g);
  EXPECT_EQ(o.at("messages").at(0).at("role"), "system");
  EXPECT_EQ(o.at("messages").at(1).at("content"), "hi");
  EXPECT_EQ(o.at("response_format").at("type"), "json_schema");
  EXPECT_FALSE(o.contains("stream"));

  auto e = make("/api/embed", R"({"model":"m","input":["a","b"]})");
  EXPECT_EQ(e->kind, ApiKind::Embedding);
  EXPECT_FALSE(e->stream);
  EXPECT_EQ(internal(*e).at("input").as_array().size(), 2u);
  const std::string vectors =
      R"({"data":[{"embedding":[0.5,1]},{"embedding":[2,3]}],"usage":{"prompt_tokens":4}})";
  auto ea = e->answer(vectors);
  ASSERT_TRUE(ea);
  EXPECT_EQ(json::parse(*ea).at("embeddings").as_array().size(), 2u);
  EXPECT_EQ(json::parse(*ea).at("prompt_eval_count"), 4);
  auto legacy = make("/api/embeddings", R"({"model":"m","prompt":"a"})");
  EXPECT_EQ(internal(*legacy).at("input"), "a");
  EXPECT_EQ(json::serialize(json::parse(*legacy->answer(vectors)).at("embedding")), "[5E-1,1]");
  EXPECT_FALSE(ollama_front(FrontInput{.path = "/api/embed", .body = R"({"model":"m"})"}));
  EXPECT_FALSE(
      ollama_front(FrontInput{.path = "/api/chat", .body = R"({"model":"m","messages":3})"}));
  EXPECT_FALSE(ollama_front(FrontInput{.path = "/api/chat", .body = R"({"messages":[]})"}));
}

TEST(OllamaFront, WholeAnswers) {
  auto c = make("/api/chat", R"({"model":"m:latest","stream":false,"messages":[]})");
  auto a = c->answer(R"({"choices":[{"message":{"content":"","tool_calls":[{"id":"c1",
    "function":{"name":"f","arguments":"{\"q\":\"fleet\"}"}}]},"finish_reason":"tool_calls"}],
    "usage":{"prompt_tokens":3,"completion_tokens":2}})");
  ASSERT_TRUE(a);
  const json::object o = json::parse(*a).as_object();
  EXPECT_EQ(o.at("model"), "m:latest");  // the name as the client asked
  EXPECT_EQ(o.at("done"), true);
  EXPECT_EQ(o.at("done_reason"), "stop");
  EXPECT_EQ(o.at("prompt_eval_count"), 3);
  EXPECT_EQ(o.at("eval_count"), 2);
  EXPECT_EQ(o.at("message").at("tool_calls").at(0).at("function").at("arguments").at("q"), "fleet");
  auto g = make("/api/generate", R"({"model":"m","prompt":"x","stream":false})");
  auto ga = g->answer(R"({"choices":[{"message":{"content":"yes"},"finish_reason":"length"}]})");
  EXPECT_EQ(json::parse(*ga).at("response"), "yes");
  EXPECT_EQ(json::parse(*ga).at("done_reason"), "length");
  EXPECT_EQ(c->error_body(404, R"({"error":{"message":"no such model"}})"),
            R"({"error":"no such model"})");
}

TEST(OllamaFront, StreamIsNdjsonAtEverySplit) {
  const std::string out = testing::same_at_every_split(
      [] { return make("/api/chat", R"({"model":"m","messages":[]})"); }, testing::kTextThenTool);
  std::vector<json::object> lines;
  std::size_t start = 0;
  while (start < out.size()) {
    const auto nl = out.find('\n', start);
    ASSERT_NE(nl, std::string::npos);
    lines.push_back(json::parse(out.substr(start, nl - start)).as_object());
    start = nl + 1;
  }
  ASSERT_EQ(lines.size(), 4u);  // two texts, the tool calls whole, the end
  EXPECT_EQ(lines[0].at("message").at("content"), "Hel");
  EXPECT_EQ(lines[0].at("done"), false);
  EXPECT_EQ(lines[2].at("message").at("tool_calls").at(0).at("function").at("arguments").at("q"),
            "fleet");
  EXPECT_EQ(lines[3].at("done"), true);
  EXPECT_EQ(lines[3].at("eval_count"), 7);

  const std::string g = testing::same_at_every_split(
      [] { return make("/api/generate", R"({"model":"m","prompt":"x"})"); },
      testing::kTextCutByLength);
  EXPECT_NE(g.find("\"response\":\"one\""), std::string::npos);
  EXPECT_NE(g.find("\"done_reason\":\"length\""), std::string::npos);

  const std::string failed = testing::same_at_every_split(
      [] { return make("/api/chat", R"({"model":"m","messages":[]})"); },
      testing::kErrorAfterFirst);
  EXPECT_TRUE(failed.ends_with("{\"error\":\"out of memory\"}\n"));
  auto c = make("/api/chat", R"({"model":"m","messages":[]})");
  EXPECT_EQ(c->stream_type(), "application/x-ndjson");
}

TEST(OllamaFront, NativeAndListings) {
  auto c = make("/api/generate", R"({"model":"m","prompt":"x"})");
  Deployment d;
  d.provider = Provider::OllamaChat;
  d.api_base.base_path = "";
  EXPECT_EQ(c->native_path(d), "/api/generate");
  d.provider = Provider::OpenAI;
  EXPECT_FALSE(c->native_path(d));
  auto u = c->native_usage(R"({"done":true,"prompt_eval_count":5,"eval_count":9})");
  ASSERT_TRUE(u);
  EXPECT_EQ(u->completion_tokens, 9u);
  EXPECT_FALSE(c->native_usage(R"({"done":false,"response":"a"})"));

  const auto tags = json::parse(ollama_model_list({"a", "claude-*", "b"}, 0, false));
  ASSERT_EQ(tags.at("models").as_array().size(), 2u);
  EXPECT_EQ(tags.at("models").at(1).at("name"), "b");
  EXPECT_TRUE(tags.at("models").at(0).as_object().contains("modified_at"));
  const auto ps = json::parse(ollama_model_list({"a"}, 0, true));
  EXPECT_TRUE(ps.at("models").at(0).as_object().contains("expires_at"));
  EXPECT_NE(tags.at("models").at(0).at("digest"), tags.at("models").at(1).at("digest"));
  EXPECT_EQ(json::parse(ollama_show("a", 0)).at("capabilities").at(0), "completion");
  EXPECT_EQ(*ollama_model_name(R"({"name":"old"})"), "old");
  EXPECT_EQ(*ollama_model_name(R"({"model":"new","name":"old"})"), "new");
  EXPECT_FALSE(ollama_model_name("{}"));
  EXPECT_EQ(ollama_time(0), "1970-01-01T00:00:00.000000000Z");
}

}  // namespace
}  // namespace fleetgate
