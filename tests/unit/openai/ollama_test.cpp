#include "openai/ollama.h"

#include <gtest/gtest.h>
#include <boost/json.hpp>

namespace fleetgate {
namespace json = boost::json;

namespace {
json::object parse(std::string_view s) { return json::parse(s).as_object(); }
}  // namespace

TEST(Ollama, ChatRequestKeepsMessagesAndMapsOptions) {
  auto r = to_ollama_request(ApiKind::Chat, Provider::OllamaChat, "qwen2.5:7b", R"({
    "model":"complex","stream":true,"temperature":0.2,"max_tokens":64,"stop":"END","seed":7,
    "response_format":{"type":"json_object"},
    "messages":[{"role":"system","content":"be brief"},
                {"role":"user","content":[{"type":"text","text":"what is this"},
                  {"type":"image_url","image_url":{"url":"data:image/png;base64,AAAA"}}]}]})");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->path, "/api/chat");
  auto o = parse(r->body);
  EXPECT_EQ(o["model"], "qwen2.5:7b");
  EXPECT_EQ(o["stream"], true);
  EXPECT_EQ(o["format"], "json");
  auto& opts = o["options"].as_object();
  EXPECT_EQ(opts["temperature"], 0.2);
  EXPECT_EQ(opts["num_predict"], 64);
  EXPECT_EQ(opts["stop"], json::array({"END"}));
  EXPECT_EQ(opts["seed"], 7);
  auto& msgs = o["messages"].as_array();
  ASSERT_EQ(msgs.size(), 2u);
  EXPECT_EQ(msgs[1].as_object().at("content"), "what is this");
  EXPECT_EQ(msgs[1].as_object().at("images"), json::array({"AAAA"}));
}

TEST(Ollama, StreamDefaultsToFalseBecauseOllamaDefaultsToTrue) {
  auto r =
      to_ollama_request(ApiKind::Chat, Provider::OllamaChat, "m", R"({"model":"x","messages":[]})");
  ASSERT_TRUE(r);
  EXPECT_EQ(parse(r->body)["stream"], false);
}

TEST(Ollama, GenerateProviderFlattensChat) {
  auto single = to_ollama_request(
      ApiKind::Chat, Provider::Ollama, "m",
      R"({"model":"x","messages":[{"role":"system","content":"S"},{"role":"user","content":"hi"}]})");
  ASSERT_TRUE(single);
  EXPECT_EQ(single->path, "/api/generate");
  auto o = parse(single->body);
  EXPECT_EQ(o["prompt"], "hi");
  EXPECT_EQ(o["system"], "S");
  auto multi = to_ollama_request(
      ApiKind::Chat, Provider::Ollama, "m",
      R"({"model":"x","messages":[{"role":"user","content":"a"},{"role":"assistant","content":"b"},{"role":"user","content":"c"}]})");
  ASSERT_TRUE(multi);
  EXPECT_EQ(parse(multi->body)["prompt"], "User: a\nAssistant: b\nUser: c\nAssistant:");
}

TEST(Ollama, CompletionAndEmbeddingRequests) {
  auto c = to_ollama_request(ApiKind::Completion, Provider::Ollama, "m",
                             R"({"model":"x","prompt":["hello"]})");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->path, "/api/generate");
  EXPECT_EQ(parse(c->body)["prompt"], "hello");
  auto e = to_ollama_request(ApiKind::Embedding, Provider::Ollama, "m",
                             R"({"model":"x","input":["a","b"]})");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->path, "/api/embed");
  EXPECT_EQ(parse(e->body)["input"], json::array({"a", "b"}));
  EXPECT_FALSE(to_ollama_request(ApiKind::Completion, Provider::Ollama, "m",
                                 R"({"model":"x","prompt":["a","b"]})"));
  EXPECT_FALSE(to_ollama_request(ApiKind::Chat, Provider::OllamaChat, "m", R"({"model":"x"})"));
}

TEST(Ollama, ChatResponseBecomesOpenAIWithUsage) {
  ResponseMeta meta{"chatcmpl-1", 1700000000, "complex", false};
  auto r = from_ollama_response(
      ApiKind::Chat,
      R"({"model":"qwen2.5:7b","message":{"role":"assistant","content":"Hi!"},"done":true,"done_reason":"length","prompt_eval_count":11,"eval_count":3})",
      meta);
  ASSERT_TRUE(r);
  auto o = parse(r->body);
  EXPECT_EQ(o["object"], "chat.completion");
  EXPECT_EQ(o["model"], "complex");
  auto& choice = o["choices"].as_array()[0].as_object();
  EXPECT_EQ(choice["message"].as_object()["content"], "Hi!");
  EXPECT_EQ(choice["finish_reason"], "length");
  EXPECT_EQ(o["usage"].as_object()["total_tokens"], 14);
  ASSERT_TRUE(r->usage);
  EXPECT_EQ(r->usage->prompt_tokens, 11u);
}

TEST(Ollama, ToolCallsGetStringArgumentsAndIds) {
  ResponseMeta meta{"chatcmpl-2", 1, "m", false};
  auto r = from_ollama_response(
      ApiKind::Chat,
      R"({"message":{"role":"assistant","content":"","tool_calls":[{"function":{"name":"get_weather","arguments":{"city":"Oslo"}}}]},"done":true})",
      meta);
  ASSERT_TRUE(r);
  auto o = parse(r->body);
  auto& choice = o["choices"].as_array()[0].as_object();
  EXPECT_EQ(choice["finish_reason"], "tool_calls");
  auto& call = choice["message"].as_object()["tool_calls"].as_array()[0].as_object();
  EXPECT_EQ(call["type"], "function");
  EXPECT_EQ(call["function"].as_object()["arguments"], R"({"city":"Oslo"})");
}

TEST(Ollama, ErrorsBecomeOpenAIErrors) {
  auto e = parse(ollama_error_to_openai(404, R"({"error":"model 'x' not found"})"));
  EXPECT_EQ(e["error"].as_object()["message"], "model 'x' not found");
  EXPECT_EQ(e["error"].as_object()["code"], "model_not_found");
  EXPECT_FALSE(from_ollama_response(ApiKind::Chat, "not json", ResponseMeta{}));
}

TEST(Ollama, StreamTranslatesNdjsonToSseChunks) {
  OllamaStreamTranslator t(ApiKind::Chat, ResponseMeta{"chatcmpl-3", 5, "complex", true});
  std::string out;
  t.on_line(R"({"message":{"role":"assistant","content":"Hel"},"done":false})", out);
  t.on_line(R"({"message":{"role":"assistant","content":"lo"},"done":false})", out);
  t.on_line(
      R"({"message":{"role":"assistant","content":""},"done":true,"done_reason":"stop","prompt_eval_count":4,"eval_count":2})",
      out);
  t.finish(out);
  std::vector<json::value> events;
  std::size_t pos = 0;
  bool saw_done = false;
  while ((pos = out.find("data: ", pos)) != std::string::npos) {
    const auto end = out.find("\n\n", pos);
    const std::string data = out.substr(pos + 6, end - pos - 6);
    if (data == "[DONE]")
      saw_done = true;
    else
      events.push_back(json::parse(data));
    pos = end;
  }
  ASSERT_EQ(events.size(), 4u);  // two deltas, the finish chunk, the usage chunk
  EXPECT_TRUE(saw_done);
  auto& first = events[0].as_object()["choices"].as_array()[0].as_object();
  EXPECT_EQ(first["delta"].as_object()["role"], "assistant");
  EXPECT_EQ(first["delta"].as_object()["content"], "Hel");
  EXPECT_EQ(events[2].as_object()["choices"].as_array()[0].as_object()["finish_reason"], "stop");
  EXPECT_EQ(events[3].as_object()["usage"].as_object()["completion_tokens"], 2);
  ASSERT_TRUE(t.usage());
  EXPECT_EQ(t.usage()->prompt_tokens, 4u);
}

TEST(Ollama, StreamThatEndsEarlyEndsWithAnErrorEvent) {
  OllamaStreamTranslator t(ApiKind::Completion, ResponseMeta{"cmpl-4", 5, "m", false});
  std::string out;
  t.on_line(R"({"response":"Hel","done":false})", out);
  t.finish(out);
  EXPECT_NE(out.find("\"text\":\"Hel\""), std::string::npos);
  EXPECT_NE(out.find("upstream_stream_broken"), std::string::npos);
  EXPECT_EQ(out.find("[DONE]"), std::string::npos);
}

TEST(Ollama, EmbeddingResponsesBecomeOpenAIListsWithPlainNumbers) {
  ResponseMeta meta{"", 0, "embed", false};
  auto r = from_ollama_response(
      ApiKind::Embedding,
      R"({"model":"nomic","embeddings":[[0.1,-2,3.5e-7],[1]],"prompt_eval_count":4})", meta);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(
      r->body,
      R"({"object":"list","data":[{"object":"embedding","index":0,"embedding":[0.1,-2,3.5e-07]},)"
      R"({"object":"embedding","index":1,"embedding":[1]}],"model":"embed",)"
      R"("usage":{"prompt_tokens":4,"total_tokens":4}})");
  EXPECT_NO_THROW(boost::json::parse(r->body));
  EXPECT_EQ(r->usage->prompt_tokens, 4u);
  EXPECT_FALSE(from_ollama_response(ApiKind::Embedding, R"({"embeddings":[["x"]]})", meta));
  EXPECT_FALSE(from_ollama_response(ApiKind::Embedding, R"({"embeddings":[1]})", meta));
  EXPECT_FALSE(from_ollama_response(ApiKind::Embedding, R"({"embedding":[1]})", meta));
}

}  // namespace fleetgate
