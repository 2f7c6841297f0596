#include "openai/dialect.h"

namespace fleetgate {

std::string_view to_string(Dialect d) {
  switch (d) {
    case Dialect::OpenAI: return "openai";
    case Dialect::Responses: return "responses";
    case Dialect::Anthropic: return "anthropic";
    case Dialect::Ollama: return "ollama";
  }
  return "openai";
}

Dialect dialect_of_path(std::string_view path) {
  if (path.size() < 5) return Dialect::OpenAI;
  if (path.starts_with("/api/")) return Dialect::Ollama;
  if (path.starts_with("/v1/messages")) {
    const std::string_view rest = path.substr(12);
    if (rest.empty() || rest.front() == '/') return Dialect::Anthropic;
  }
  if (path.starts_with("/v1/responses") || path.starts_with("/responses"))
    return Dialect::Responses;
  return Dialect::OpenAI;
}

}  // namespace fleetgate
