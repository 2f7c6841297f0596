#include "openai/backend_errors.h"

#include <gtest/gtest.h>

namespace fleetgate {
namespace {

TEST(BackendErrors, RecognisesContextWindowErrorsOfEachBackend) {
  EXPECT_TRUE(is_context_window_error(
      400, R"({"error":{"message":"too long","code":"context_length_exceeded"}})"));
  EXPECT_TRUE(is_context_window_error(
      400,
      R"({"object":"error","message":"This model's maximum context length is 4096 tokens. However, you requested 5000 tokens"})"));
  EXPECT_TRUE(is_context_window_error(
      400,
      R"({"error":{"code":400,"message":"the request exceeds the available context size, try increasing it","type":"exceed_context_size_error"}})"));
  EXPECT_TRUE(
      is_context_window_error(500, R"({"error":"input length exceeds the context window"})"));
  EXPECT_TRUE(is_context_window_error(
      400,
      R"({"type":"error","error":{"message":"prompt is too long: 210000 tokens > 200000 maximum"}})"));
  EXPECT_FALSE(is_context_window_error(400, R"({"error":{"message":"messages: field required"}})"));
  EXPECT_FALSE(is_context_window_error(503, "maximum context length"));  // overload, not size
}

TEST(BackendErrors, ABackendRefusingTheModel) {
  EXPECT_TRUE(is_model_refused(
      404, R"({"error":{"message":"The model `x` does not exist.","code":"model_not_found"}})"));
  EXPECT_TRUE(is_model_refused(404, R"({"error":"model 'llama3' not found"})"));
  EXPECT_TRUE(is_model_refused(
      400, R"({"error":{"message":"model not found","type":"invalid_request_error"}})"));
  EXPECT_FALSE(is_model_refused(400, R"({"error":{"message":"messages: field required"}})"));
  EXPECT_FALSE(is_model_refused(500, "model not found"));
}

TEST(BackendErrors, ErrorEventsInsideAStream) {
  EXPECT_EQ(stream_error_message(
                R"({"error":{"code":500,"message":"llama.cpp failed","type":"server_error"}})"),
            "llama.cpp failed");
  EXPECT_EQ(
      stream_error_message(
          R"({"object":"error","message":"vLLM: engine dead","type":"InternalServerError","code":500})"),
      "vLLM: engine dead");
  EXPECT_EQ(stream_error_message(R"({"error":"out of memory"})"), "out of memory");
  EXPECT_FALSE(stream_error_message(
      R"({"id":"c1","object":"chat.completion.chunk","choices":[{"delta":{"content":"an \"error\" here"}}]})"));
  EXPECT_FALSE(stream_error_message("[DONE]"));
  EXPECT_FALSE(stream_error_message("not json"));
}

TEST(BackendErrors, RetryAfterInSeconds) {
  EXPECT_EQ(parse_retry_after("30"), std::chrono::seconds(30));
  EXPECT_EQ(parse_retry_after(" 5 "), std::chrono::seconds(5));
  EXPECT_EQ(parse_retry_after("0"), std::chrono::seconds(0));
  EXPECT_FALSE(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"));
  EXPECT_FALSE(parse_retry_after(""));
  EXPECT_FALSE(parse_retry_after("-1"));
  EXPECT_EQ(parse_retry_after("999999999"), std::chrono::hours(24));
}

}  // namespace
}  // namespace fleetgate
