// The phase snapshot as JSON (report --json, --snapshot) and back.
#include "report/phase_report.h"

#include "core/checked_cast.h"
#include "core/text_forms.h"

#include "core/json_escape.h"
#include "fleet/json_fields.h"
#include "fleet/uptime.h"

#include <fmt/format.h>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include <algorithm>
#include <map>

namespace fleetgate {

namespace json = boost::json;

namespace {

void opt(std::string& out, const char* key, std::optional<double> v) {
  out += fmt::format(",\"{}\":", key);
  out += v ? fmt::format("{:.6g}", *v) : "null";
}

}  // namespace

std::string snapshot_json(const PhaseSnapshot& s) {
  std::string out = "{\"generated_at\":\"" + rfc3339(s.generated_at) + "\",\"phase\":";
  append_json_string(out, s.phase);
  out += ",\"next_phase\":";
  append_json_string(out, s.next_phase);
  out += fmt::format(",\"targets\":{{\"uptime\":{:g},\"days_at_uptime\":{},\"capacity\":{:g}}}",
                     s.targets.uptime, s.targets.days_at_uptime, s.targets.capacity);
  out += fmt::format(",\"fleet_operational\":{}", s.fleet_operational);
  opt(out, "uptime_30d", s.uptime_30d);
  out += fmt::format(",\"days_at_uptime\":{}", s.days_at_uptime);
  opt(out, "capacity_utilization", s.capacity_utilization);
  out += fmt::format(",\"ready\":{},\"subjects\":[", s.ready());
  for (std::size_t i = 0; i < s.subjects.size(); ++i) {
    const auto& u = s.subjects[i];
    if (i) out += ',';
    out += "{\"kind\":" + json_string(u.kind) + ",\"name\":" + json_string(u.name) +
           ",\"state\":" + json_string(u.state);
    if (u.since) out += ",\"since\":\"" + rfc3339(*u.since) + "\"";
    opt(out, "uptime_24h", u.uptime_24h);
    opt(out, "uptime_7d", u.uptime_7d);
    opt(out, "uptime_30d", u.uptime_30d);
    out += fmt::format(",\"days_at_uptime\":{}}}", u.days_at_uptime);
  }
  out += "],\"capacity\":[";
  for (std::size_t i = 0; i < s.capacity.size(); ++i) {
    const auto& c = s.capacity[i];
    if (i) out += ',';
    out += "{\"deployment\":" + json_string(c.deployment) +
           fmt::format(",\"busy_hours\":{:.6g},\"up_hours\":{:.6g},\"requests\":{}", c.busy_hours,
                       c.up_hours, c.requests);
    opt(out, "utilization", c.utilization);
    out += '}';
  }
  out += "],\"open_alerts\":[";
  for (std::size_t i = 0; i < s.open_alerts.size(); ++i) {
    const auto& a = s.open_alerts[i];
    if (i) out += ',';
    out += "{\"alertname\":" + json_string(a.alertname) + ",\"subject\":" + json_string(a.subject) +
           ",\"severity\":" + json_string(a.severity) + ",\"since\":\"" + rfc3339(a.since) +
           "\",\"summary\":" + json_string(a.summary) + "}";
  }
  out += fmt::format("],\"recoveries\":{{\"automatic\":{},\"other\":{},\"recent\":[",
                     s.automatic_recoveries, s.other_recoveries);
  for (std::size_t i = 0; i < s.recent_recoveries.size(); ++i) {
    const auto& r = s.recent_recoveries[i];
    if (i) out += ',';
    out += "{\"kind\":" + json_string(r.kind) + ",\"name\":" + json_string(r.name) + ",\"at\":\"" +
           rfc3339(r.at) + "\",\"reason\":" + json_string(r.reason) +
           fmt::format(",\"automatic\":{}}}", r.automatic);
  }
  out += fmt::format("]}},\"actions\":{{\"recoveries\":{},\"recent\":[", s.recovery_actions);
  for (std::size_t i = 0; i < s.recent_actions.size(); ++i) {
    const auto& a = s.recent_actions[i];
    if (i) out += ',';
    out += "{\"at\":\"" + rfc3339(a.at) + "\",\"node\":" + json_string(a.node) +
           ",\"process\":" + json_string(a.process) + ",\"action\":" + json_string(a.action) +
           ",\"reason\":" + json_string(a.reason) + ",\"outcome\":" + json_string(a.outcome) +
           fmt::format(",\"recovery\":{}}}", a.recovery);
  }
  out += "]}}\n";
  return out;
}

Result<PhaseSnapshot> parse_snapshot(std::string_view text) {
  boost::system::error_code ec;
  auto root = json::parse(text, ec);
  if (ec || !root.is_object()) return Error(Errc::BadRequest, "the snapshot must be a JSON object");
  const auto& o = root.get_object();
  JsonFields r;
  PhaseSnapshot s;
  s.generated_at = r.time(o, "generated_at").value_or(WallTime{});
  s.phase = r.text(o, "phase");
  s.next_phase = r.text(o, "next_phase");
  if (const auto* t = r.object(o, "targets")) {
    s.targets.uptime = r.number(*t, "uptime").value_or(s.targets.uptime);
    s.targets.days_at_uptime = clamp_to_integer<int>(
        r.number(*t, "days_at_uptime").value_or(s.targets.days_at_uptime), 0, 1000000);
    s.targets.capacity = r.number(*t, "capacity").value_or(s.targets.capacity);
  }
  s.fleet_operational = r.boolean(o, "fleet_operational").value_or(false);
  s.uptime_30d = r.number(o, "uptime_30d");
  s.days_at_uptime = clamp_to_integer<int>(r.number(o, "days_at_uptime").value_or(0), 0, 1000000);
  s.capacity_utilization = r.number(o, "capacity_utilization");
  if (const auto* list = r.list(o, "subjects"))
    for (const auto& v : *list) {
      if (!v.is_object()) continue;
      const auto& so = v.get_object();
      SubjectUptime u;
      u.kind = r.text(so, "kind");
      u.name = r.text(so, "name");
      u.state = r.text(so, "state");
      u.since = r.time(so, "since");
      u.uptime_24h = r.number(so, "uptime_24h");
      u.uptime_7d = r.number(so, "uptime_7d");
      u.uptime_30d = r.number(so, "uptime_30d");
      u.days_at_uptime =
          clamp_to_integer<int>(r.number(so, "days_at_uptime").value_or(0), 0, 1000000);
      s.subjects.push_back(std::move(u));
    }
  if (const auto* list = r.list(o, "capacity"))
    for (const auto& v : *list) {
      if (!v.is_object()) continue;
      const auto& co = v.get_object();
      BackendCapacity c;
      c.deployment = r.text(co, "deployment");
      c.busy_hours = r.number(co, "busy_hours").value_or(0);
      c.up_hours = r.number(co, "up_hours").value_or(0);
      c.requests = static_cast<std::int64_t>(r.number(co, "requests").value_or(0));
      c.utilization = r.number(co, "utilization");
      s.capacity.push_back(std::move(c));
    }
  if (const auto* list = r.list(o, "open_alerts"))
    for (const auto& v : *list) {
      if (!v.is_object()) continue;
      const auto& ao = v.get_object();
      s.open_alerts.push_back({r.text(ao, "alertname"), r.text(ao, "subject"),
                               r.text(ao, "severity"), r.time(ao, "since").value_or(WallTime{}),
                               r.text(ao, "summary")});
    }
  if (const auto* ro = r.object(o, "recoveries")) {
    s.automatic_recoveries =
        clamp_to_integer<int>(r.number(*ro, "automatic").value_or(0), 0, 1000000);
    s.other_recoveries = clamp_to_integer<int>(r.number(*ro, "other").value_or(0), 0, 1000000);
    if (const auto* list = r.list(*ro, "recent"))
      for (const auto& v : *list) {
        if (!v.is_object()) continue;
        const auto& x = v.get_object();
        s.recent_recoveries.push_back({r.text(x, "kind"), r.text(x, "name"),
                                       r.time(x, "at").value_or(WallTime{}), r.text(x, "reason"),
                                       r.boolean(x, "automatic").value_or(false)});
      }
  }
  if (const auto* ao = r.object(o, "actions")) {
    s.recovery_actions = clamp_to_integer<int>(r.number(*ao, "recoveries").value_or(0), 0, 1000000);
    if (const auto* list = r.list(*ao, "recent"))
      for (const auto& v : *list) {
        if (!v.is_object()) continue;
        const auto& x = v.get_object();
        s.recent_actions.push_back({r.time(x, "at").value_or(WallTime{}), r.text(x, "node"),
                                    r.text(x, "process"), r.text(x, "action"), r.text(x, "reason"),
                                    r.text(x, "outcome"),
                                    r.boolean(x, "recovery").value_or(false)});
      }
  }
  if (!r.ok()) return Error(Errc::BadRequest, r.problem());
  return s;
}

}  // namespace fleetgate
