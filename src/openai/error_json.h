// The one place that maps an Error to an HTTP status and each dialect's error JSON.
#pragma once

#include "core/error.h"
#include "openai/dialect.h"

#include <string>
#include <string_view>

namespace fleetgate {

struct HttpError {
  int status = 500;
  std::string body;  // {"error": {"message", "type", "param", "code"}}
};

HttpError render_error(const Error& e);
// In `dialect`'s own shape: Anthropic's {"type":"error","error":{"type","message"}} with its
// status codes (529 overloaded_error for Unavailable), Ollama's {"error": "..."}, else OpenAI's.
HttpError render_error(const Error& e, Dialect dialect);
// Anthropic's error type for an HTTP status ("invalid_request_error", "overloaded_error", …).
std::string_view anthropic_error_type(int status);
// Anthropic's error JSON.
std::string anthropic_error_json(std::string_view type, std::string_view message);
// Ollama's error JSON.
std::string ollama_error_json(std::string_view message);

// OpenAI's error object; an empty param or code is rendered as null.
std::string error_json(std::string_view message, std::string_view type, std::string_view param,
                       std::string_view code);

// An error as an SSE event (`data: {"error": ...}`), for a stream whose 200 head already went
// out: an api_error with `code`, or `e` rendered as above.
void append_sse_error(std::string& out, std::string_view message, std::string_view code);
void append_sse_error(std::string& out, const Error& e);

}  // namespace fleetgate
