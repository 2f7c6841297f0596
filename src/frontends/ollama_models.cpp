// What Ollama's clients ask of the server itself: its model list (/api/tags, /api/ps), a model's
// details (/api/show), and Ollama's time format.
#include "frontends/ollama_front.h"

#include "core/wall_time.h"
#include "frontends/json_access.h"

#include <boost/json.hpp>

namespace fleetgate {

namespace json = boost::json;

std::string ollama_time(std::int64_t unix_seconds) {
  std::string t = rfc3339(from_ms(unix_seconds * 1000));  // "…T21:50:50Z"
  if (!t.empty() && t.back() == 'Z') t.insert(t.size() - 1, ".000000000");
  return t;
}

namespace {

json::object model_details() {
  return {{"parent_model", ""},        {"format", "gguf"},     {"family", ""},
          {"families", json::array{}}, {"parameter_size", ""}, {"quantization_level", ""}};
}

// A stable digest-shaped id for a name (Ollama's is the model file's sha256).
std::string digest_of(std::string_view name) {
  std::uint64_t h = 1469598103934665603ull;
  for (char ch : name) h = (h ^ static_cast<unsigned char>(ch)) * 1099511628211ull;
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (int round = 0; round < 4; ++round) {
    std::uint64_t x = h ^ (0x9e3779b97f4a7c15ull * static_cast<std::uint64_t>(round + 1));
    for (int i = 0; i < 16; ++i) {
      out += kHex[x & 15];
      x >>= 4;
    }
  }
  return out;
}

}  // namespace

std::string ollama_model_list(const std::vector<std::string>& names, std::int64_t created,
                              bool running) {
  json::array models;
  for (const auto& name : names) {
    if (name.find('*') != std::string::npos) continue;
    json::object m{{"name", name},
                   {"model", name},
                   {"size", 0},
                   {"digest", digest_of(name)},
                   {"details", model_details()}};
    if (running) {
      m["expires_at"] = ollama_time(created + 10 * 365 * 86400);
      m["size_vram"] = 0;
      m["context_length"] = 0;
    } else {
      m["modified_at"] = ollama_time(created);
    }
    models.push_back(std::move(m));
  }
  return json::serialize(json::object{{"models", std::move(models)}});
}

Result<std::string> ollama_model_name(std::string_view body) {
  boost::system::error_code ec;
  const json::value v = json::parse(body, ec);
  if (ec || !v.is_object()) return Error(Errc::BadRequest, "invalid JSON body");
  std::string_view name = string_at(v.as_object(), "model");
  if (name.empty()) name = string_at(v.as_object(), "name");
  if (name.empty()) return Error(Errc::BadRequest, "model is required", "model");
  return std::string(name);
}

std::string ollama_show(std::string_view name, std::int64_t created) {
  return json::serialize(json::object{
      {"modelfile", "# served by fleetgate\nFROM " + std::string(name) + "\n"},
      {"parameters", ""},
      {"template", ""},
      {"details", model_details()},
      {"model_info", json::object{{"general.architecture", ""}, {"general.basename", name}}},
      {"capabilities", json::array{"completion", "tools"}},
      {"modified_at", ollama_time(created)}});
}

}  // namespace fleetgate
