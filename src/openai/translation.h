// What every translation to OpenAI's response format shares (Ollama, Anthropic): how the
// response describes itself, and the SSE chunks a translated stream is made of. Pure.
#pragma once

#include "openai/usage.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace fleetgate {

// What the OpenAI response should say about itself.
struct ResponseMeta {
  std::string id;  // "chatcmpl-..." / "cmpl-..."
  std::int64_t created = 0;
  std::string model;           // the name the client asked for
  bool include_usage = false;  // stream_options.include_usage
};

struct TranslatedResponse {
  std::string body;
  std::optional<Usage> usage;
};

// One `data:` chunk: a chat.completion.chunk with `delta_json` as its delta, or (chat false) a
// text_completion with `delta_json` as its text; an empty `finish_reason` is null.
void append_chunk(std::string& out, const ResponseMeta& meta, bool chat,
                  std::string_view delta_json, std::string_view finish_reason);

// The final chunk with `usage` that OpenAI sends when stream_options.include_usage is set.
void append_usage_chunk(std::string& out, const ResponseMeta& meta, const Usage& usage, bool chat);

}  // namespace fleetgate
