// The dialects' names, which paths belong to which, and each one's error shape.
#include "openai/dialect.h"

#include "openai/error_json.h"

#include <gtest/gtest.h>

namespace fleetgate {
namespace {

TEST(Dialect, OfPath) {
  EXPECT_EQ(dialect_of_path("/v1/chat/completions"), Dialect::OpenAI);
  EXPECT_EQ(dialect_of_path("/v1/messages"), Dialect::Anthropic);
  EXPECT_EQ(dialect_of_path("/v1/messages/count_tokens"), Dialect::Anthropic);
  EXPECT_EQ(dialect_of_path("/v1/messagesx"), Dialect::OpenAI);
  EXPECT_EQ(dialect_of_path("/api/chat"), Dialect::Ollama);
  EXPECT_EQ(dialect_of_path("/v1/responses/resp_1"), Dialect::Responses);
  EXPECT_EQ(dialect_of_path("/"), Dialect::OpenAI);
  EXPECT_EQ(dialect_of_path(""), Dialect::OpenAI);
  EXPECT_EQ(to_string(Dialect::Anthropic), "anthropic");
  EXPECT_EQ(to_string(Dialect::Ollama), "ollama");
}

TEST(Dialect, ErrorShapes) {
  const Error unknown(Errc::ModelNotFound, "model 'x' not found");
  const HttpError a = render_error(unknown, Dialect::Anthropic);
  EXPECT_EQ(a.status, 404);
  EXPECT_EQ(
      a.body,
      R"({"type":"error","error":{"type":"not_found_error","message":"model 'x' not found"}})");
  const HttpError o = render_error(unknown, Dialect::Ollama);
  EXPECT_EQ(o.status, 404);
  EXPECT_EQ(o.body, R"({"error":"model 'x' not found"})");
  EXPECT_EQ(render_error(unknown, Dialect::Responses).body, render_error(unknown).body);
  EXPECT_EQ(render_error(Error(Errc::Unavailable, "busy"), Dialect::Anthropic).status, 529);
  EXPECT_EQ(render_error(Error(Errc::Unauthorized, "key"), Dialect::Anthropic).body,
            R"({"type":"error","error":{"type":"authentication_error","message":"key"}})");
  EXPECT_EQ(anthropic_error_type(413), "request_too_large");
  EXPECT_EQ(anthropic_error_type(504), "timeout_error");
  EXPECT_EQ(anthropic_error_type(502), "api_error");
  EXPECT_EQ(anthropic_error_type(422), "invalid_request_error");
}

}  // namespace
}  // namespace fleetgate
