// What a backend's error response means for routing: retry elsewhere, cool the deployment,
// or fall back to a model with a larger context window. Pure.
#pragma once

#include "core/units.h"

#include <optional>
#include <string>
#include <string_view>

namespace fleetgate {

// The prompt did not fit: OpenAI's `context_length_exceeded`, vLLM's and llama.cpp's and
// Ollama's wordings, Anthropic's "prompt is too long".
bool is_context_window_error(int status, std::string_view body);

// The backend refuses the model it was asked for: 404 (OpenAI's and vLLM's model_not_found,
// Ollama's "model 'x' not found"), or a 400 that says so.
bool is_model_refused(int status, std::string_view body);

// The message of an error that a backend sent as an SSE event after its 200: `{"error":
// {"message": ...}}` (llama.cpp, newer vLLM, OpenAI), `{"error": "..."}`, or vLLM's older
// `{"object": "error", "message": ...}`; nullopt for any other event.
std::optional<std::string> stream_error_message(std::string_view data);

// A Retry-After value in seconds ("30"); HTTP dates and garbage give nullopt.
std::optional<Duration> parse_retry_after(std::string_view value);

}  // namespace fleetgate
