// LiteLLM's providers as config.yaml names them: the `<provider>/` prefixes fleetgate speaks, and
// what LiteLLM's model registry makes of a bare model name (no prefix). Pure.
#pragma once

#include "config/config.h"

#include <optional>
#include <string_view>

namespace fleetgate {

// The provider of a `provider/model` string and where the model name starts; nullopt when the
// prefix is not one fleetgate speaks.
struct ProviderPrefix {
  Provider provider;
  std::size_t model_offset;
};
std::optional<ProviderPrefix> provider_prefix(std::string_view model);

// LiteLLM's model_info.mode by its name ("chat", "audio_transcription", ...); nullopt if unknown.
std::optional<ModelMode> model_mode_from(std::string_view name);
inline constexpr std::string_view kModeNames =
    "chat, completion, embedding, audio_transcription, audio_speech, rerank or image_generation";

// A bare name as LiteLLM's registry places it: OpenAI's models (gpt-…, o1…, text-embedding-…)
// and Anthropic's (claude-…) are ours to serve; `family` names the provider of a bare name
// that LiteLLM knows but fleetgate does not speak (Gemini, Mistral, ...), empty when LiteLLM
// would not know the name either.
struct BareName {
  std::optional<Provider> provider;
  std::string_view family;
};
BareName infer_bare_name(std::string_view model);

// A requested name as LiteLLM's get_llm_provider reads it for a bare "*" deployment: a
// `provider/` prefix of ours, else the registry's guess; nullopt when it places it nowhere we
// speak. `model` is the name without the prefix.
struct RequestedModel {
  Provider provider;
  std::string_view model;
};
std::optional<RequestedModel> place_requested(std::string_view requested);

}  // namespace fleetgate
