#include "fleet/json_fields.h"

namespace fleetgate {

const boost::json::value* JsonFields::field(const boost::json::object& o, std::string_view key) {
  auto* v = o.if_contains(key);
  return v && !v->is_null() ? v : nullptr;
}

void JsonFields::wrong(std::string_view key, const char* what) {
  if (problem_.empty()) problem_ = "'" + std::string(key) + "' must be " + what;
}

std::optional<double> JsonFields::number(const boost::json::object& o, std::string_view key) {
  auto* v = field(o, key);
  if (!v) return std::nullopt;
  if (v->is_number()) return v->to_number<double>();
  wrong(key, "a number or null");
  return std::nullopt;
}

std::optional<bool> JsonFields::boolean(const boost::json::object& o, std::string_view key) {
  auto* v = field(o, key);
  if (!v) return std::nullopt;
  if (v->is_bool()) return v->get_bool();
  wrong(key, "true or false");
  return std::nullopt;
}

std::string JsonFields::text(const boost::json::object& o, std::string_view key) {
  auto* v = field(o, key);
  if (!v) return {};
  if (v->is_string()) return std::string(v->get_string());
  wrong(key, "a string");
  return {};
}

std::optional<WallTime> JsonFields::time(const boost::json::object& o, std::string_view key) {
  const std::string t = text(o, key);
  if (t.empty()) return std::nullopt;
  auto parsed = parse_rfc3339(t);
  if (!parsed) wrong(key, "an RFC 3339 time");
  return parsed;
}

const boost::json::array* JsonFields::list(const boost::json::object& o, std::string_view key) {
  auto* v = field(o, key);
  if (!v) return nullptr;
  if (v->is_array()) return &v->get_array();
  wrong(key, "a list");
  return nullptr;
}

const boost::json::object* JsonFields::object(const boost::json::object& o, std::string_view key) {
  auto* v = field(o, key);
  if (!v) return nullptr;
  if (v->is_object()) return &v->get_object();
  wrong(key, "an object");
  return nullptr;
}

}  // namespace fleetgate
