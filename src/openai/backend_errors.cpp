#include "openai/backend_errors.h"

#include <boost/json.hpp>

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

bool is_model_refused(int status, std::string_view body) {
  if (status == 404) return true;
  if (status != 400) return false;
  std::string lower(body.substr(0, 4096));
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return lower.find("model_not_found") != std::string::npos ||
         (lower.find("model") != std::string::npos &&
          (lower.find("not found") != std::string::npos ||
           lower.find("does not exist") != std::string::npos));
}

std::optional<std::string> stream_error_message(std::string_view data) {
  boost::system::error_code ec;
  const boost::json::value v = boost::json::parse(data, ec);
  if (ec || !v.is_object()) return std::nullopt;
  const auto& o = v.as_object();
  auto message_of = [](const boost::json::object& e) -> std::string {
    if (const auto* m = e.if_contains("message"); m && m->is_string())
      return std::string(m->as_string());
    return "(no message)";
  };
  if (const auto* e = o.if_contains("error")) {
    if (e->is_object()) return message_of(e->as_object());
    if (e->is_string()) return std::string(e->as_string());
    return "(no message)";
  }
  if (const auto* obj = o.if_contains("object");
      obj && obj->is_string() && obj->as_string() == "error")
    return message_of(o);
  return std::nullopt;
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
