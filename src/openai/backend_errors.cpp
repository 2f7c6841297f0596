#include "openai/backend_errors.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <string>

namespace fleetgate {

bool is_context_window_error(int status, std::string_view body) {
  if (status != 400 && status != 413 && status != 422 && status != 500) return false;
  std::string lower(body.substr(0, 4096));
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  static constexpr std::array<std::string_view, 7> kSignals = {
      "context_length_exceeded",             // OpenAI's code
      "maximum context length",              // OpenAI's and vLLM's message
      "exceeds the available context size",  // llama.cpp server
      "exceed_context_size",                 // llama.cpp server's error type
      "context window",                      // Ollama and others
      "input length exceeds",                // Ollama
      "prompt is too long",                  // Anthropic
  };
  return std::any_of(kSignals.begin(), kSignals.end(),
                     [&](std::string_view s) { return lower.find(s) != std::string::npos; });
}

std::optional<Duration> parse_retry_after(std::string_view value) {
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
  if (value.empty()) return std::nullopt;
  std::uint64_t seconds = 0;
  const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), seconds);
  if (ec != std::errc() || end != value.data() + value.size()) return std::nullopt;
  return std::chrono::seconds(std::min<std::uint64_t>(seconds, 24 * 3600));
}

}  // namespace fleetgate
