// The model lists backends publish, for drift checks: OpenAI's GET /v1/models and Ollama's
// GET /api/tags. Pure.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace fleetgate {

// data[].id of an OpenAI model list, with each entry's `aliases` (llama.cpp lists extra --alias
// names only there); nullopt when the body is not one.
std::optional<std::vector<std::string>> parse_openai_model_ids(std::string_view body);
// llama.cpp server's GET /props: the one model it has loaded (the -m path as typed, and the
// alias it answers to); nullopt when the body says neither.
struct LoadedModel {
  std::string path;
  std::string alias;
};
std::optional<LoadedModel> parse_llamacpp_props(std::string_view body);
// Whether a single-model llama.cpp server (which answers any `model` value) has `wanted`
// loaded: by its alias, its path as typed, the file's name with or without .gguf, or a
// wanted name the file's name contains once case and punctuation are set aside
// ("qwen2.5-7b-instruct" in "Qwen2.5-7B-Instruct-Q4_K_M.gguf").
bool loaded_model_is(const LoadedModel& loaded, std::string_view wanted);
// models[].name of Ollama's tags; nullopt when the body is not one.
std::optional<std::vector<std::string>> parse_ollama_tags(std::string_view body);
// Free slots in llama.cpp server's GET /slots (is_processing false, or state 0 in older
// versions); nullopt when the body is not a slot list.
std::optional<int> parse_llamacpp_free_slots(std::string_view body);
// Whether `wanted` is among `served`; Ollama's "llama3" means "llama3:latest".
bool serves_model(const std::vector<std::string>& served, std::string_view wanted, bool ollama);

}  // namespace fleetgate
