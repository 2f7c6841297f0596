#include "openai/model_lists.h"

#include <boost/json.hpp>

#include <algorithm>
#include <cctype>

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
  boost::system::error_code ec;
  const json::value v = json::parse(body, ec);
  if (ec || !v.is_object()) return std::nullopt;
  const auto* items = v.as_object().if_contains("data");
  if (!items || !items->is_array()) return std::nullopt;
  std::vector<std::string> names;
  for (const auto& item : items->as_array()) {
    if (!item.is_object()) continue;
    const auto& o = item.as_object();
    if (const auto* id = o.if_contains("id"); id && id->is_string())
      names.emplace_back(id->as_string());
    if (const auto* aliases = o.if_contains("aliases"); aliases && aliases->is_array())
      for (const auto& a : aliases->as_array())
        if (a.is_string() && std::find(names.begin(), names.end(), a.as_string()) == names.end())
          names.emplace_back(a.as_string());
  }
  return names;
}

std::optional<LoadedModel> parse_llamacpp_props(std::string_view body) {
  boost::system::error_code ec;
  const json::value v = json::parse(body, ec);
  if (ec || !v.is_object()) return std::nullopt;
  const auto& o = v.as_object();
  LoadedModel m;
  if (const auto* p = o.if_contains("model_path"); p && p->is_string()) m.path = p->as_string();
  if (const auto* a = o.if_contains("model_alias"); a && a->is_string()) m.alias = a->as_string();
  if (m.path.empty() && m.alias.empty()) return std::nullopt;
  return m;
}

namespace {

// Lower case, letters and digits only: "Qwen2.5-7B_Instruct" -> "qwen257binstruct".
std::string folded(std::string_view s) {
  std::string out;
  for (char c : s)
    if (std::isalnum(static_cast<unsigned char>(c)))
      out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

bool loaded_model_is(const LoadedModel& loaded, std::string_view wanted) {
  if (wanted.empty()) return false;
  std::string_view file = loaded.path;
  if (const auto slash = file.find_last_of('/'); slash != std::string_view::npos)
    file.remove_prefix(slash + 1);
  std::string_view stem = file;
  if (stem.ends_with(".gguf")) stem.remove_suffix(5);
  for (std::string_view name :
       {std::string_view(loaded.alias), std::string_view(loaded.path), file, stem})
    if (!name.empty() && name == wanted) return true;
  const std::string w = folded(wanted);
  return w.size() >= 3 && folded(stem).find(w) != std::string::npos;
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
