// Ollama's own API for clients (Open WebUI, VS Code's Ollama provider, the ollama libraries):
// POST /api/chat and /api/generate (NDJSON streams, on unless "stream": false, as in Ollama),
// /api/embed and /api/embeddings. ollama/ and ollama_chat/ deployments get the client's body
// (model replaced); the others get chat completions or embeddings — messages, images, tools and
// tool calls, format (JSON or a schema), options (temperature, top_p, top_k, seed, stop,
// num_predict) — and the answers come back in Ollama's shape. Pure.
#pragma once

#include "frontends/front_call.h"

#include <memory>
#include <vector>

namespace fleetgate {

Result<std::unique_ptr<FrontCall>> ollama_front(const FrontInput& in);

// GET /api/tags (or, `running`, /api/ps) listing `names` (wildcard patterns left out).
std::string ollama_model_list(const std::vector<std::string>& names, std::int64_t created,
                              bool running);
// The model /api/show (or /api/pull, /api/delete) names: "model", or older clients' "name".
Result<std::string> ollama_model_name(std::string_view body);
// POST /api/show's answer for a served model.
std::string ollama_show(std::string_view name, std::int64_t created);
// The version /api/version reports: the Ollama API release whose endpoints fleetgate serves.
inline constexpr std::string_view kOllamaApiVersion = "0.12.6";

// Ollama's "2026-12-01T21:50:50.123456789Z" for Unix seconds.
std::string ollama_time(std::int64_t unix_seconds);

}  // namespace fleetgate
