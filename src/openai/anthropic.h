// Translation between OpenAI chat completions and Anthropic's Messages API (POST /v1/messages,
// with its SSE stream of message_start / content_block_delta / message_delta / message_stop).
// Pure: bytes in, bytes out.
#pragma once

#include "core/error.h"
#include "openai/translation.h"
#include "openai/usage.h"

#include <optional>
#include <string>
#include <string_view>

namespace fleetgate {

// An OpenAI chat body as a Messages API body for `model`: system messages become `system`,
// consecutive same-role messages merge, images pass as base64 or URL sources, `stop` becomes
// `stop_sequences`, function tools become Anthropic tools, and max_tokens defaults to 4096.
Result<std::string> to_anthropic_request(std::string_view model, std::string_view openai_body);

// A complete Messages API response (2xx) as an OpenAI chat.completion.
Result<TranslatedResponse> from_anthropic_response(std::string_view body, const ResponseMeta& meta);

// Anthropic's `{"type":"error","error":{...}}` (or any body) as OpenAI's error JSON.
std::string anthropic_error_to_openai(int status, std::string_view body);

// Turns Anthropic SSE events into OpenAI chat.completion.chunk events.
class AnthropicStreamTranslator {
 public:
  explicit AnthropicStreamTranslator(ResponseMeta meta) : meta_(std::move(meta)) {}

  // Appends the OpenAI SSE bytes for one Anthropic event (its `event:` name and `data:`).
  void on_event(std::string_view event, std::string_view data, std::string& out);
  // Appends the usage chunk (when asked for) and `data: [DONE]`, or an error event if the
  // stream ended without message_stop.
  void finish(std::string& out);

  const std::optional<Usage>& usage() const { return usage_; }
  // Why the stream failed (the backend's error, or how it broke off); empty while it has not.
  const std::string& error() const { return error_; }
  bool done() const { return done_; }

 private:
  void chunk(std::string& out, std::string_view delta_json, std::string_view finish_reason) {
    append_chunk(out, meta_, true, delta_json, finish_reason);
  }

  ResponseMeta meta_;
  std::optional<Usage> usage_;
  std::string stop_reason_;
  bool done_ = false;
  bool failed_ = false;
  std::string error_;
};

}  // namespace fleetgate
