// What the fleet monitor's files share: names, rules, labels and specs of its subjects.
// Internal to src/fleet/.
#pragma once

#include "fleet/fleet_monitor.h"

#include "core/json_escape.h"
#include "core/text_forms.h"

#include <fmt/format.h>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace fleetgate::monitoring {

inline std::optional<SubjectKind> kind_of(std::string_view s) {
  for (auto k : {SubjectKind::Node, SubjectKind::Backend, SubjectKind::Check, SubjectKind::Process})
    if (to_string(k) == s) return k;
  return std::nullopt;
}

inline Health health_of(std::string_view s) {
  return s == "up" ? Health::Up : s == "down" ? Health::Down : Health::New;
}

inline std::string key_of(SubjectKind k, const std::string& name) {
  return std::string(to_string(k)) + "/" + name;
}

inline const char* down_rule(SubjectKind k) {
  switch (k) {
    case SubjectKind::Node: return "NodeDown";
    case SubjectKind::Backend: return "BackendDown";
    case SubjectKind::Check: return "CheckDown";
    case SubjectKind::Process: return "ProcessDown";
  }
  return "Down";
}

// disk_used_percent -> DiskUsedPercent
inline std::string rule_of(Metric m) {
  std::string out;
  bool upper = true;
  for (char c : to_string(m)) {
    if (c == '_') {
      upper = true;
      continue;
    }
    out += upper ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c;
    upper = false;
  }
  return out;
}

inline CheckSpec check_spec(const std::string& name, Duration period, Duration grace,
                            std::optional<Duration> max_runtime) {
  CheckSpec spec;
  spec.name = name;
  spec.period = period;
  spec.grace = grace;
  spec.max_runtime = max_runtime;
  return spec;
}

inline Labels parse_labels(const std::string& text) {
  Labels out;
  boost::system::error_code ec;
  auto v = boost::json::parse(text, ec);
  if (ec || !v.is_object()) return out;
  for (const auto& [k, val] : v.get_object())
    if (val.is_string()) out[std::string(k)] = std::string(val.get_string());
  return out;
}

// What each kind of subject may be called: checks are slugs, nodes host-like names,
// processes "<node>/<slug>".
inline bool valid_name(SubjectKind kind, std::string_view name) {
  switch (kind) {
    case SubjectKind::Check: return is_slug(name);
    case SubjectKind::Node: return is_node_name(name);
    case SubjectKind::Process: {
      const auto slash = name.find('/');
      return slash != std::string_view::npos && is_node_name(name.substr(0, slash)) &&
             is_slug(name.substr(slash + 1));
    }
    case SubjectKind::Backend: return true;
  }
  return false;
}

inline Labels subject_labels(const Subject& s) {
  Labels l;
  if (s.kind == SubjectKind::Process) {
    const auto slash = s.name.find('/');
    l["node"] = s.name.substr(0, slash);
    l["process"] = slash == std::string::npos ? s.name : s.name.substr(slash + 1);
  } else {
    l[std::string(to_string(s.kind))] = s.name;
  }
  return l;
}

}  // namespace fleetgate::monitoring
