// Streams are asked for their usage (stream_options.include_usage) so that their tokens count;
// a client that did not ask gets its stream without it, and a backend that refuses the option
// is not asked again.
#include "support/fake_upstream.h"
#include "support/http_client.h"
#include "support/in_process.h"

#include <gtest/gtest.h>

namespace fleetgate::test {
namespace {

const std::string kStream =
    R"({"model":"fast","stream":true,"messages":[{"role":"user","content":"hi"}]})";

std::string config(const FakeUpstream& up) {
  return "model_list:\n  - model_name: fast\n    litellm_params:\n      model: openai/x\n"
         "      api_base: " +
         up.base() + "\n";
}

FakeReply stream_with_null_usage() {
  FakeReply r;
  r.events = {
      R"({"id":"c","choices":[{"index":0,"delta":{"content":"a"},"finish_reason":null}],"usage":null})",
      R"({"id":"c","choices":[{"index":0,"delta":{},"finish_reason":"stop"}],"usage":null})",
      R"({"id":"c","choices":[],"usage":{"prompt_tokens":4,"completion_tokens":1,"total_tokens":5}})",
      "[DONE]"};
  return r;
}

}  // namespace

TEST(StreamUsage, AskedOfTheBackendAndKeptFromTheClient) {
  FakeUpstream up;
  up.always(stream_with_null_usage());
  auto g = start_in_process(config(up));
  auto r = http_request(g.port, "POST", "/v1/chat/completions", kStream);
  ASSERT_EQ(r.status, 200) << r.body;
  const std::string sent = up.received().front().body;
  EXPECT_EQ(
      sent,
      R"({"stream_options":{"include_usage":true},"model":"x","stream":true,"messages":[{"role":"user","content":"hi"}]})");
  EXPECT_EQ(r.body,
            "data: {\"id\":\"c\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"a\"},"
            "\"finish_reason\":null}]}\n\n"
            "data: {\"id\":\"c\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":"
            "\"stop\"}]}\n\n"
            "data: [DONE]\n\n");
  auto metrics = http_request(g.port, "GET", "/metrics");
  EXPECT_NE(metrics.body.find("fleetgate_tokens_total{model=\"fast\",deployment=\"fast#1\","
                              "type=\"completion\"} 1"),
            std::string::npos)
      << metrics.body;
}

TEST(StreamUsage, AClientThatAskedGetsTheStreamAsItCame) {
  FakeUpstream up;
  up.always(stream_with_null_usage());
  auto g = start_in_process(config(up));
  const std::string asked =
      R"({"model":"fast","stream":true,"stream_options":{"include_usage":true},"messages":[]})";
  auto r = http_request(g.port, "POST", "/v1/chat/completions", asked);
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(up.received().front().body.find("stream_options"),
            up.received().front().body.rfind("stream_options"));  // not added twice
  EXPECT_NE(r.body.find("\"usage\":{\"prompt_tokens\":4"), std::string::npos);
  EXPECT_NE(r.body.find("\"usage\":null"), std::string::npos);
  // Not a stream: nothing added.
  auto whole =
      http_request(g.port, "POST", "/v1/chat/completions", R"({"model":"fast","messages":[]})");
  EXPECT_EQ(up.received().back().body, R"({"model":"x","messages":[]})");
  EXPECT_EQ(whole.status, 200);
}

TEST(StreamUsage, ABackendThatRefusesTheOptionIsNotAskedAgain) {
  FakeUpstream up;
  up.then(FakeReply::error(400, "Unrecognized request argument supplied: stream_options"));
  up.always(FakeReply::stream({"a", "b"}));
  auto g = start_in_process(config(up));
  auto r = http_request(g.port, "POST", "/v1/chat/completions", kStream);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.body.find("\"content\":\"b\""), std::string::npos);
  auto again = http_request(g.port, "POST", "/v1/chat/completions", kStream);
  ASSERT_EQ(again.status, 200);
  const auto seen = up.received();
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_NE(seen[0].body.find("stream_options"), std::string::npos);
  EXPECT_EQ(seen[1].body.find("stream_options"), std::string::npos);  // sent again without
  EXPECT_EQ(seen[2].body.find("stream_options"), std::string::npos);  // and remembered
}

}  // namespace fleetgate::test
