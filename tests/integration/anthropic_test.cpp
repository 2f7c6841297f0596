// The anthropic/ provider against `fleetgate sim` speaking the Messages API: OpenAI clients get
// OpenAI answers, whole and streamed; errors and context-window limits translate too.
#include "support/child_process.h"
#include "support/fleet.h"
#include "support/http_client.h"

#include <gtest/gtest.h>
#include <boost/json.hpp>

namespace fleetgate::test {
namespace {

namespace json = boost::json;

std::string anthropic(const std::string& name, std::uint16_t port, const std::string& model) {
  return "  - model_name: " + name + "\n    litellm_params: {model: anthropic/" + model +
         ", api_base: 'http://127.0.0.1:" + std::to_string(port) + "', api_key: sk-ant}\n";
}

}  // namespace

TEST(AnthropicProvider, ChatsWholeAndStreamedThroughTheMessagesAPI) {
  auto sim = start_sim({"--models", "claude-test", "--tokens", "6"});
  auto gw = start_gateway("model_list:\n" + anthropic("frontier", sim.port, "claude-test"));
  auto r = http_request(gw.port, "POST", "/v1/chat/completions",
                        R"({"model":"frontier","messages":[{"role":"system","content":"Be brief."},
                            {"role":"user","content":"hi"}]})");
  ASSERT_EQ(r.status, 200) << r.body;
  auto o = json::parse(r.body).as_object();
  EXPECT_EQ(o.at("object"), "chat.completion");
  EXPECT_EQ(o.at("model"), "frontier");
  EXPECT_EQ(o.at("choices").as_array()[0].at("finish_reason"), "stop");
  EXPECT_EQ(o.at("usage").at("completion_tokens"), 6);
  auto last = json::parse(http_request(sim.port, "GET", "/sim/last").body).as_object();
  EXPECT_EQ(last.at("target"), "/v1/messages");
  auto sent = json::parse(last.at("body").as_string()).as_object();
  EXPECT_EQ(sent.at("model"), "claude-test");
  EXPECT_EQ(sent.at("system"), "Be brief.");
  EXPECT_EQ(sent.at("max_tokens"), 4096);

  auto s =
      http_request(gw.port, "POST", "/v1/chat/completions",
                   R"({"model":"frontier","stream":true,"stream_options":{"include_usage":true},
                            "messages":[{"role":"user","content":"hi"}]})");
  ASSERT_EQ(s.status, 200) << s.body;
  EXPECT_NE(s.body.find("chat.completion.chunk"), std::string::npos);
  EXPECT_NE(s.body.find(R"("finish_reason":"stop")"), std::string::npos) << s.body;
  EXPECT_NE(s.body.find(R"("completion_tokens":6)"), std::string::npos) << s.body;
  EXPECT_TRUE(s.body.ends_with("data: [DONE]\n\n"));
}

TEST(AnthropicProvider, ErrorsAndContextLimitsTranslate) {
  auto overloaded =
      start_sim({"--models", "claude-test", "--error-rate", "1", "--error-status", "529"});
  auto small = start_sim({"--models", "claude-small", "--max-context", "20"});
  auto big = start_sim({"--models", "claude-big"});
  auto gw = start_gateway("model_list:\n" + anthropic("busy", overloaded.port, "claude-test") +
                          anthropic("small", small.port, "claude-small") +
                          anthropic("big", big.port, "claude-big") +
                          R"(router_settings: {context_window_fallbacks: [{"small": ["big"]}]})"
                          "\n");
  auto r = http_request(gw.port, "POST", "/v1/chat/completions",
                        R"({"model":"busy","messages":[{"role":"user","content":"hi"}]})");
  EXPECT_EQ(r.status, 529);
  EXPECT_EQ(json::parse(r.body).at("error").at("message"), "sim: injected failure");
  // Anthropic's "prompt is too long" moves the request to the larger model.
  auto fell = http_request(gw.port, "POST", "/v1/chat/completions",
                           R"({"model":"small","messages":[{"role":"user","content":")" +
                               std::string(400, 'x') + R"("}]})");
  ASSERT_EQ(fell.status, 200) << fell.body;
  EXPECT_EQ(fell.headers["x-fleetgate-deployment"], "big#1");
  // Embeddings are not something Anthropic serves.
  auto e = http_request(gw.port, "POST", "/v1/embeddings", R"({"model":"big","input":"x"})");
  EXPECT_EQ(e.status, 501) << e.body;
}

}  // namespace fleetgate::test

namespace fleetgate::test {

// Fuzzing found the translation throwing on an image in a system message: the client got no
// answer and the deployment stayed counted in flight, so with max_parallel_requests: 1 it was
// saturated for good after one such request. Now each gets a 400, and the next request is served.
TEST(AnthropicProvider, AnImageInASystemMessageIsRefusedAndLeavesNothingInFlight) {
  auto sim = start_sim({"--models", "claude-test"});
  auto gw = start_gateway("model_list:\n" + anthropic("frontier", sim.port, "claude-test") +
                          "    max_parallel_requests: 1\n");
  for (int i = 0; i < 3; ++i) {
    auto r = http_request(gw.port, "POST", "/v1/chat/completions",
                          R"({"model":"frontier","messages":[{"role":"system","content":[
                              {"type":"image_url","image_url":{"url":"https://x/y.png"}}]},
                              {"role":"user","content":"hi"}]})");
    EXPECT_EQ(r.status, 400) << r.body;
    EXPECT_EQ(json::parse(r.body).at("error").at("type"), "invalid_request_error") << r.body;
  }
  auto ok = http_request(gw.port, "POST", "/v1/chat/completions",
                         R"({"model":"frontier","messages":[{"role":"user","content":"hi"}]})");
  EXPECT_EQ(ok.status, 200) << ok.body;
}

}  // namespace fleetgate::test
