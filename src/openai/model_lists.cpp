#include "openai/model_lists.h"

#include <boost/json.hpp>

#include <algorithm>

namespace fleetgate {

namespace json = boost::json;

namespace {

std::optional<std::vector<std::string>> names_of(std::string_view body, std::string_view list,
                                                 std::string_view field) {
  boost::system::error_code ec;
  const json::value v = json::parse(body, ec);
  if (ec || !v.is_object()) return std::nullopt;
  const auto* items = v.as_object().if_contains(list);
  if (!items || !items->is_array()) return std::nullopt;
  std::vector<std::string> names;
  for (const auto& item : items->as_array()) {
    if (!item.is_object()) continue;
    if (const auto* name = item.as_object().if_contains(field); name && name->is_string())
      names.emplace_back(name->as_string());
  }
  return names;
}

}  // namespace

std::optional<std::vector<std::string>> parse_openai_model_ids(std::string_view body) {
  return names_of(body, "data", "id");
}

std::optional<std::vector<std::string>> parse_ollama_tags(std::string_view body) {
  return names_of(body, "models", "name");
}

std::optional<int> parse_llamacpp_free_slots(std::string_view body) {
  boost::system::error_code ec;
  const json::value v = json::parse(body, ec);
  if (ec || !v.is_array()) return std::nullopt;
  int free = 0;
  for (const auto& slot : v.as_array()) {
    if (!slot.is_object()) continue;
    const auto& s = slot.as_object();
    if (const auto* busy = s.if_contains("is_processing"); busy && busy->is_bool())
      free += busy->as_bool() ? 0 : 1;
    else if (const auto* state = s.if_contains("state"); state && state->is_number())
      free += state->to_number<double>() == 0 ? 1 : 0;
  }
  return free;
}

bool serves_model(const std::vector<std::string>& served, std::string_view wanted, bool ollama) {
  const bool untagged = ollama && wanted.find(':') == std::string_view::npos;
  return std::any_of(served.begin(), served.end(), [&](const std::string& s) {
    return s == wanted || (untagged && s.size() == wanted.size() + 7 && s.starts_with(wanted) &&
                           std::string_view(s).substr(wanted.size()) == ":latest");
  });
}

}  // namespace fleetgate
