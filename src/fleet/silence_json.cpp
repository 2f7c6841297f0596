#include "fleet/silence_json.h"

#include "core/json_escape.h"
#include "fleet/json_fields.h"

#include <boost/json/parse.hpp>

namespace fleetgate {

namespace {

// One matcher; an error message when it is not a usable one.
Result<Matcher> matcher(const boost::json::value& v) {
  if (!v.is_object()) return Error(Errc::BadRequest, "Each matcher must be an object.");
  JsonFields f;
  const auto& o = v.get_object();
  Matcher m;
  m.name = f.text(o, "name");
  m.value = f.text(o, "value");
  m.is_regex = f.boolean(o, "isRegex").value_or(false);
  m.is_equal = f.boolean(o, "isEqual").value_or(true);
  if (!f.ok()) return Error(Errc::BadRequest, "Matcher: " + f.problem() + ".");
  if (m.name.empty() || !o.if_contains("value"))
    return Error(Errc::BadRequest, "Each matcher needs a 'name' and a 'value'.");
  return make_matcher(std::move(m.name), std::move(m.value), m.is_regex, m.is_equal);
}

}  // namespace

Result<Silence> parse_silence(std::string_view body, std::string id, FleetTime now) {
  boost::system::error_code ec;
  auto v = boost::json::parse(body, ec);
  if (ec || !v.is_object()) return Error(Errc::BadRequest, "The body must be a JSON object.");
  const auto& o = v.get_object();
  JsonFields f;
  Silence s;
  s.id = std::move(id);
  s.starts_at = std::max(f.time(o, "startsAt").value_or(now), now);
  auto ends = f.time(o, "endsAt");
  s.created_by = f.text(o, "createdBy");
  s.comment = f.text(o, "comment");
  const auto* matchers = f.list(o, "matchers");
  if (!f.ok()) return Error(Errc::BadRequest, f.problem() + ".");
  if (!ends) return Error(Errc::BadRequest, "'endsAt' (an RFC 3339 time) is required.");
  s.ends_at = *ends;
  if (s.ends_at <= s.starts_at)
    return Error(Errc::BadRequest, "'endsAt' must be later than startsAt and now.");
  if (!matchers || matchers->empty())
    return Error(Errc::BadRequest, "'matchers' must be a non-empty list.");
  for (const auto& m : *matchers) {
    auto parsed = matcher(m);
    if (!parsed) return parsed.error();
    s.matchers.push_back(std::move(*parsed));
  }
  return s;
}

std::string matchers_json(const std::vector<Matcher>& matchers) {
  std::string out = "[";
  for (const auto& m : matchers) {
    if (out.size() > 1) out += ',';
    out += "{\"name\":" + json_string(m.name) + ",\"value\":" + json_string(m.value) +
           ",\"isRegex\":" + (m.is_regex ? "true" : "false") +
           ",\"isEqual\":" + (m.is_equal ? "true" : "false") + "}";
  }
  return out + "]";
}

Result<std::vector<Matcher>> parse_matchers(std::string_view json) {
  std::vector<Matcher> out;
  boost::system::error_code ec;
  auto v = boost::json::parse(json, ec);
  if (ec || !v.is_array() || v.get_array().empty())
    return Error(Errc::BadRequest, "not a list of matchers");
  for (const auto& m : v.get_array()) {
    auto parsed = matcher(m);
    if (!parsed) return parsed.error();
    out.push_back(std::move(*parsed));
  }
  return out;
}

}  // namespace fleetgate
