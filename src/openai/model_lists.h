// The model lists backends publish, for drift checks: OpenAI's GET /v1/models and Ollama's
// GET /api/tags. Pure.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace fleetgate {

// data[].id of an OpenAI model list; nullopt when the body is not one.
std::optional<std::vector<std::string>> parse_openai_model_ids(std::string_view body);
// models[].name of Ollama's tags; nullopt when the body is not one.
std::optional<std::vector<std::string>> parse_ollama_tags(std::string_view body);
// Free slots in llama.cpp server's GET /slots (is_processing false, or state 0 in older
// versions); nullopt when the body is not a slot list.
std::optional<int> parse_llamacpp_free_slots(std::string_view body);
// Whether `wanted` is among `served`; Ollama's "llama3" means "llama3:latest".
bool serves_model(const std::vector<std::string>& served, std::string_view wanted, bool ollama);

}  // namespace fleetgate
