#include "config/provider_names.h"

#include <array>

namespace fleetgate {

namespace {

struct Prefix {
  std::string_view prefix;
  Provider provider;
};
// Longest first where one prefix starts another (ollama_chat/ before ollama/).
constexpr std::array<Prefix, 5> kPrefixes{{
    {"openai/", Provider::OpenAI},
    {"hosted_vllm/", Provider::HostedVllm},
    {"ollama_chat/", Provider::OllamaChat},
    {"ollama/", Provider::Ollama},
    {"anthropic/", Provider::Anthropic},
}};

// Bare names in LiteLLM's registry of OpenAI models (chat, completion, embedding, audio,
// image, moderation), by prefix; "o1", "o3", "o4" alone or followed by '-'.
constexpr std::array<std::string_view, 17> kOpenAiPrefixes{"gpt-",
                                                           "chatgpt-",
                                                           "ft:gpt-",
                                                           "text-embedding-",
                                                           "text-davinci-",
                                                           "davinci-",
                                                           "babbage-",
                                                           "whisper-",
                                                           "tts-",
                                                           "dall-e-",
                                                           "gpt-image-",
                                                           "omni-moderation-",
                                                           "text-moderation-",
                                                           "codex-",
                                                           "computer-use-",
                                                           "gpt-3.5-turbo",
                                                           "gpt-4"};
constexpr std::array<std::string_view, 3> kOpenAiReasoning{"o1", "o3", "o4"};

struct Family {
  std::string_view prefix;
  std::string_view family;
};
// Bare names LiteLLM places with providers fleetgate does not speak.
constexpr std::array<Family, 16> kOtherFamilies{{
    {"gemini-", "Gemini"},
    {"text-bison", "Vertex AI"},
    {"chat-bison", "Vertex AI"},
    {"command", "Cohere"},
    {"mistral-", "Mistral"},
    {"open-mistral", "Mistral"},
    {"open-mixtral", "Mistral"},
    {"codestral-", "Mistral"},
    {"pixtral-", "Mistral"},
    {"j2-", "AI21"},
    {"jamba-", "AI21"},
    {"grok-", "xAI"},
    {"deepseek-", "DeepSeek"},
    {"sonar", "Perplexity"},
    {"amazon.", "Bedrock"},
    {"anthropic.", "Bedrock"},
}};

}  // namespace

std::optional<ProviderPrefix> provider_prefix(std::string_view model) {
  for (const auto& p : kPrefixes)
    if (model.starts_with(p.prefix)) return ProviderPrefix{p.provider, p.prefix.size()};
  return std::nullopt;
}

BareName infer_bare_name(std::string_view model) {
  for (std::string_view p : kOpenAiPrefixes)
    if (model.starts_with(p)) return {Provider::OpenAI, {}};
  for (std::string_view p : kOpenAiReasoning)
    if (model == p || (model.starts_with(p) && model.size() > p.size() && model[p.size()] == '-'))
      return {Provider::OpenAI, {}};
  if (model.starts_with("claude-")) return {Provider::Anthropic, {}};
  for (const auto& f : kOtherFamilies)
    if (model.starts_with(f.prefix)) return {std::nullopt, f.family};
  return {};
}

std::optional<RequestedModel> place_requested(std::string_view requested) {
  if (auto p = provider_prefix(requested))
    return RequestedModel{p->provider, requested.substr(p->model_offset)};
  if (auto bare = infer_bare_name(requested); bare.provider)
    return RequestedModel{*bare.provider, requested};
  return std::nullopt;
}

std::optional<ModelMode> model_mode_from(std::string_view name) {
  static constexpr std::pair<std::string_view, ModelMode> kModes[] = {
      {"chat", ModelMode::Chat},
      {"completion", ModelMode::Completion},
      {"embedding", ModelMode::Embedding},
      {"audio_transcription", ModelMode::AudioTranscription},
      {"audio_speech", ModelMode::AudioSpeech},
      {"rerank", ModelMode::Rerank},
      {"image_generation", ModelMode::ImageGeneration}};
  for (const auto& [n, mode] : kModes)
    if (name == n) return mode;
  return std::nullopt;
}

}  // namespace fleetgate
