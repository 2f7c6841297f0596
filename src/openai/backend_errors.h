// What a backend's error response means for routing: retry elsewhere, cool the deployment,
// or fall back to a model with a larger context window. Pure.
#pragma once

#include "core/units.h"

#include <optional>
#include <string_view>

namespace fleetgate {

// The prompt did not fit: OpenAI's `context_length_exceeded`, vLLM's and llama.cpp's and
// Ollama's wordings, Anthropic's "prompt is too long".
bool is_context_window_error(int status, std::string_view body);

// A Retry-After value in seconds ("30"); HTTP dates and garbage give nullopt.
std::optional<Duration> parse_retry_after(std::string_view value);

}  // namespace fleetgate
