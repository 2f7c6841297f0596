// Translation between OpenAI requests/responses and Ollama's native API (/api/chat, /api/generate,
// /api/embed, NDJSON streaming). Pure: bytes in, bytes out.
#pragma once

#include "config/config.h"
#include "core/error.h"
#include "openai/api_kind.h"
#include "openai/translation.h"
#include "openai/usage.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace fleetgate {

struct OllamaRequest {
  std::string path;  // "/api/chat", "/api/generate" or "/api/embed"
  std::string body;
};

// ollama_chat/ sends chats to /api/chat; ollama/ flattens them into /api/generate, as LiteLLM does.
Result<OllamaRequest> to_ollama_request(ApiKind kind, Provider provider, std::string_view model,
                                        std::string_view openai_body);

// A complete (non-streaming) Ollama response with status 2xx, as OpenAI JSON.
Result<TranslatedResponse> from_ollama_response(ApiKind kind, std::string_view ollama_body,
                                                const ResponseMeta& meta);

// Ollama's `{"error": "..."}` (or any body) with a non-2xx status, as OpenAI's error JSON.
std::string ollama_error_to_openai(int status, std::string_view ollama_body);

// Turns Ollama NDJSON lines into OpenAI SSE events, one line at a time.
class OllamaStreamTranslator {
 public:
  OllamaStreamTranslator(ApiKind kind, ResponseMeta meta)
      : chat_(kind == ApiKind::Chat), meta_(std::move(meta)) {}

  // Appends the SSE bytes for one NDJSON line to `out`.
  void on_line(std::string_view line, std::string& out);
  // Appends `data: [DONE]` once the final line was seen (or an error event if it never came).
  void finish(std::string& out);

  bool done() const { return done_; }
  const std::optional<Usage>& usage() const { return usage_; }
  // Why the stream failed (the backend's error, or how it broke off); empty while it has not.
  const std::string& error() const { return error_; }

 private:
  void chunk(std::string& out, std::string_view delta_json, std::string_view finish_reason) {
    append_chunk(out, meta_, chat_, delta_json, finish_reason);
  }

  bool chat_;
  ResponseMeta meta_;
  bool sent_role_ = false;
  bool done_ = false;
  bool failed_ = false;
  std::string error_;
  std::optional<Usage> usage_;
};

}  // namespace fleetgate
