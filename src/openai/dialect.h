// The API dialects clients speak to the gateway: OpenAI's chat completions (and completions,
// embeddings, audio, images), OpenAI's Responses, Anthropic's Messages and Ollama's own API.
// Each answers errors in its own shape (openai/error_json.h).
#pragma once

#include <cstdint>
#include <string_view>

namespace fleetgate {

enum class Dialect : std::uint8_t { OpenAI, Responses, Anthropic, Ollama };
inline constexpr int kDialects = 4;

// "openai", "responses", "anthropic", "ollama": the access log's and /metrics' label.
std::string_view to_string(Dialect d);

// The dialect a request path belongs to, for the errors answered before any handler runs
// (authentication, size limits): /v1/messages… is Anthropic's, /api/… Ollama's.
Dialect dialect_of_path(std::string_view path);

}  // namespace fleetgate
