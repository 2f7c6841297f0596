#include "openai/usage.h"

#include <charconv>

namespace fleetgate {
namespace {

std::string_view skip_ws(std::string_view s) {
  while (!s.empty() &&
         (s.front() == ' ' || s.front() == '\n' || s.front() == '\r' || s.front() == '\t'))
    s.remove_prefix(1);
  return s;
}

// The number after `"key":` inside `object`, if any.
std::optional<std::uint64_t> number_after(std::string_view object, std::string_view quoted_key) {
  const auto at = object.find(quoted_key);
  if (at == std::string_view::npos) return std::nullopt;
  std::string_view rest = skip_ws(object.substr(at + quoted_key.size()));
  if (rest.empty() || rest.front() != ':') return std::nullopt;
  rest = skip_ws(rest.substr(1));
  std::uint64_t value = 0;
  auto [ptr, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), value);
  if (ec != std::errc{}) return std::nullopt;
  return value;
}

}  // namespace

std::optional<Usage> scan_usage(std::string_view json) {
  std::size_t from = std::string_view::npos;
  while (true) {
    const auto at = json.rfind("\"usage\"", from);
    if (at == std::string_view::npos) return std::nullopt;
    std::string_view rest = skip_ws(json.substr(at + 7));
    if (!rest.empty() && rest.front() == ':') {
      rest = skip_ws(rest.substr(1));
      if (!rest.empty() && rest.front() == '{') {
        const auto close = rest.find('}');
        const std::string_view object = rest.substr(0, close);
        auto prompt = number_after(object, "\"prompt_tokens\"");
        auto completion = number_after(object, "\"completion_tokens\"");
        if (!prompt && !completion) return std::nullopt;
        return Usage{prompt.value_or(0), completion.value_or(0)};
      }
    }
    if (at == 0) return std::nullopt;
    from = at - 1;
  }
}

}  // namespace fleetgate
