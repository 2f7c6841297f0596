#include "providers/provider.h"

namespace fleetgate {

// Each in its own file.
const ProviderAdapter& openai_adapter();
const ProviderAdapter& ollama_adapter();
const ProviderAdapter& anthropic_adapter();
const ProviderAdapter& native_adapter();

Result<WholeAnswer> translated_answer(Result<TranslatedResponse> r) {
  if (!r) return r.error();
  WholeAnswer a;
  a.translated = std::move(r->body);
  a.usage = r->usage;
  return a;
}

WholeAnswer answer_as_sent(const Call& c, std::optional<Usage> usage) {
  WholeAnswer a;
  a.passthrough = c.exchange.body();
  a.usage = usage;
  if (const std::string_view ct = c.exchange.content_type(); !ct.empty()) a.content_type = ct;
  return a;
}

BackendError error_as_sent(const Call& c) {
  BackendError e{c.exchange.body(), std::string(c.exchange.content_type())};
  if (e.content_type.empty()) e.content_type = "application/json";
  return e;
}

const ProviderAdapter& passthrough_adapter() { return native_adapter(); }

const ProviderAdapter& adapter_for(Provider provider) {
  switch (provider) {
    case Provider::Ollama:
    case Provider::OllamaChat: return ollama_adapter();
    case Provider::Anthropic: return anthropic_adapter();
    case Provider::OpenAI:
    case Provider::HostedVllm: break;
  }
  return openai_adapter();
}

}  // namespace fleetgate
