#include "report/status_table.h"

#include "core/text_forms.h"

#include <fmt/format.h>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include <algorithm>
#include <vector>

namespace fleetgate {

namespace {

namespace json = boost::json;

// A field of the server's JSON, made safe for the terminal (its names and reasons come from
// pings, heartbeats and backends: escape sequences must not reach the screen).
std::string field(const json::object& o, const char* key) {
  auto* v = o.if_contains(key);
  return v && v->is_string() ? printable(v->get_string()) : std::string();
}

// "2026-11-22T05:42:05.352Z" -> "2026-11-22 05:42:05"
std::string short_time(const std::string& t) {
  if (t.size() < 19) return t.empty() ? "-" : t;
  return t.substr(0, 10) + " " + t.substr(11, 8);
}

std::string age(double seconds) {
  if (seconds < 0) return "-";
  if (seconds < 120) return fmt::format("{:.0f}s ago", seconds);
  if (seconds < 7200) return fmt::format("{:.0f}m ago", seconds / 60);
  if (seconds < 172800) return fmt::format("{:.0f}h ago", seconds / 3600);
  return fmt::format("{:.0f}d ago", seconds / 86400);
}

std::string paint(const std::string& text, const char* code, bool color) {
  return color ? std::string("\033[") + code + "m" + text + "\033[0m" : text;
}

}  // namespace

Result<std::string> render_status(std::string_view status_json, bool color) {
  boost::system::error_code ec;
  auto root = json::parse(status_json, ec);
  if (ec || !root.is_object()) return Error(Errc::UpstreamProtocol, "the status is not JSON");
  const auto& o = root.get_object();
  std::vector<std::vector<std::string>> rows;
  rows.push_back({"KIND", "NAME", "STATE", "SINCE", "LAST SEEN", "REASON"});
  if (auto* subjects = o.if_contains("subjects"); subjects && subjects->is_array())
    for (const auto& v : subjects->get_array()) {
      if (!v.is_object()) continue;
      const auto& s = v.get_object();
      std::string state = field(s, "state");
      std::transform(state.begin(), state.end(), state.begin(), ::toupper);
      if (auto* f = s.if_contains("flapping"); f && f->is_bool() && f->get_bool())
        state += " (flapping)";
      double seen = -1;
      if (auto* a = s.if_contains("last_seen_age_s"); a && a->is_number())
        seen = a->to_number<double>();
      rows.push_back({field(s, "kind"), field(s, "name"), state, short_time(field(s, "since")),
                      age(seen), field(s, "reason")});
    }
  std::vector<std::size_t> width(rows.front().size(), 0);
  for (const auto& r : rows)
    for (std::size_t i = 0; i < r.size(); ++i) width[i] = std::max(width[i], r[i].size());
  std::string out;
  for (std::size_t k = 0; k < rows.size(); ++k) {
    const auto& r = rows[k];
    for (std::size_t i = 0; i < r.size(); ++i) {
      std::string cell = r[i];
      const std::size_t pad = i + 1 < r.size() ? width[i] - cell.size() + 2 : 0;
      if (k > 0 && i == 2) {
        const char* code = cell.starts_with("UP") ? "32" : cell.starts_with("DOWN") ? "31" : "33";
        cell = paint(cell, code, color);
      } else if (k == 0) {
        cell = paint(cell, "1", color);
      }
      out += cell + std::string(pad, ' ');
    }
    while (!out.empty() && out.back() == ' ') out.pop_back();
    out += '\n';
  }
  if (rows.size() == 1) out += "(nothing watched yet)\n";
  out += '\n';
  auto* alerts = o.if_contains("alerts");
  if (!alerts || !alerts->is_array() || alerts->get_array().empty()) {
    out += paint("No open alerts.", "32", color) + "\n";
    return out;
  }
  out += paint(fmt::format("{} open alert(s):", alerts->get_array().size()), "1", color) + "\n";
  for (const auto& v : alerts->get_array()) {
    if (!v.is_object()) continue;
    const auto& a = v.get_object();
    const std::string severity = field(a, "severity");
    std::string summary;
    if (auto* ann = a.if_contains("annotations"); ann && ann->is_object())
      summary = field(ann->get_object(), "summary");
    out += fmt::format("  {}  {}  {}  since {}  {}\n",
                       paint(severity, severity == "critical" ? "31" : "33", color),
                       field(a, "alertname"), field(a, "subject"), short_time(field(a, "startsAt")),
                       summary);
  }
  return out;
}

}  // namespace fleetgate
