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

namespace {

using namespace std::chrono_literals;
namespace json = boost::json;

Health health_of(std::string_view s) {
  return s == "up" ? Health::Up : s == "down" ? Health::Down : Health::New;
}

std::string percent(std::optional<double> v) {
  return v ? fmt::format("{:.1f}%", *v * 100) : "n/a";
}

std::string target_percent(double v) {
  // 0.95 -> "95%", 0.995 -> "99.5%"
  return fmt::format("{:g}%", std::round(v * 1000) / 10);
}

std::string when(WallTime t) {
  std::string s = rfc3339(t);
  // "2026-11-22T05:42:05.352Z" -> "2026-11-22 05:42 UTC"
  return s.substr(0, 10) + " " + s.substr(11, 5) + " UTC";
}

}  // namespace

PhaseSnapshot build_snapshot(Store& store, const FleetSettings& settings, WallTime now) {
  PhaseSnapshot snap;
  snap.generated_at = now;
  snap.phase = settings.targets.phase;
  snap.next_phase = settings.targets.next_phase;
  snap.targets = settings.targets;

  std::map<std::pair<std::string, std::string>, std::vector<StateChange>> history;
  const auto transitions = store.transitions(0);
  for (const auto& t : transitions)
    history[{t.kind, t.name}].push_back({from_ms(t.at_ms), health_of(t.to)});

  const auto day_end = std::chrono::floor<std::chrono::days>(now);  // the last whole day's end
  const int max_days = std::max(settings.targets.days_at_uptime, 1);
  std::vector<double> sum_by_day(static_cast<std::size_t>(max_days), 0);
  std::vector<int> n_by_day(static_cast<std::size_t>(max_days), 0);
  double sum_30d = 0;
  int n_30d = 0;
  bool nodes_up = true, any_backend = false, backend_up = false;
  std::map<std::string, double> up_hours;  // backends
  for (const auto& row : store.subjects()) {
    SubjectUptime u;
    u.kind = row.kind;
    u.name = row.name;
    u.state = row.health;
    if (row.since_ms) u.since = from_ms(row.since_ms);
    const auto& changes = history[{row.kind, row.name}];
    u.uptime_24h = measured_uptime(changes, Health::New, now - 24h, now);
    u.uptime_7d = measured_uptime(changes, Health::New, now - 24h * 7, now);
    u.uptime_30d = measured_uptime(changes, Health::New, now - 24h * 30, now);
    u.days_at_uptime =
        days_at_target(changes, Health::New, day_end, settings.targets.uptime, max_days);
    if (u.uptime_30d) {
      sum_30d += *u.uptime_30d;
      ++n_30d;
    }
    for (int d = 0; d < max_days; ++d) {
      const WallTime end = day_end - 24h * d;
      if (auto v = measured_uptime(changes, Health::New, end - 24h, end)) {
        sum_by_day[static_cast<std::size_t>(d)] += *v;
        ++n_by_day[static_cast<std::size_t>(d)];
      }
    }
    if (row.kind == "node" && row.health == "down") nodes_up = false;
    if (row.kind == "backend") {
      any_backend = true;
      backend_up |= row.health == "up";
      // Up time in the 30 days: the up share of the accountable time.
      const auto window_start = now - 24h * 30;
      double accountable_h = 0;
      WallTime cursor = window_start;
      Health state = Health::New;
      for (const auto& c : changes) {
        if (c.at >= now) break;
        if (c.at > cursor) {
          if (state == Health::Up)
            accountable_h += std::chrono::duration<double, std::ratio<3600>>(c.at - cursor).count();
          cursor = c.at;
        }
        state = c.to;
      }
      if (state == Health::Up)
        accountable_h += std::chrono::duration<double, std::ratio<3600>>(now - cursor).count();
      up_hours[row.name] = accountable_h;
    }
    snap.subjects.push_back(std::move(u));
  }
  snap.fleet_operational = nodes_up && (!any_backend || backend_up);
  if (n_30d) snap.uptime_30d = sum_30d / n_30d;
  for (int d = 0; d < max_days; ++d) {
    const auto i = static_cast<std::size_t>(d);
    if (n_by_day[i] == 0 || sum_by_day[i] / n_by_day[i] < settings.targets.uptime) break;
    ++snap.days_at_uptime;
  }

  double busy_total = 0, up_total = 0;
  std::map<std::string, UsageRow> usage;
  for (auto& u : store.usage(to_ms(now - 24h * 30))) usage[u.deployment] = u;
  for (const auto& [id, hours] : up_hours) {
    BackendCapacity c;
    c.deployment = id;
    c.up_hours = hours;
    if (auto it = usage.find(id); it != usage.end()) {
      c.busy_hours = static_cast<double>(it->second.busy_ms) / 3.6e6;
      c.requests = it->second.requests;
    }
    if (c.up_hours > 0) c.utilization = std::min(1.0, c.busy_hours / c.up_hours);
    busy_total += std::min(c.busy_hours, c.up_hours);
    up_total += c.up_hours;
    snap.capacity.push_back(std::move(c));
  }
  if (up_total > 0) snap.capacity_utilization = busy_total / up_total;

  for (const auto& a : store.firing_alerts()) {
    OpenAlert o;
    o.alertname = a.rule;
    o.subject = a.subject;
    o.severity = a.severity;
    o.since = from_ms(a.starts_at_ms);
    boost::system::error_code ec;
    auto ann = json::parse(a.annotations, ec);
    if (!ec && ann.is_object())
      if (auto* s = ann.get_object().if_contains("summary"); s && s->is_string())
        o.summary = s->get_string();
    snap.open_alerts.push_back(std::move(o));
  }

  for (const auto& t : transitions) {
    if (t.to != "up" || t.from != "down" || from_ms(t.at_ms) < now - 24h * 30) continue;
    (t.automatic ? snap.automatic_recoveries : snap.other_recoveries)++;
    snap.recent_recoveries.push_back({t.kind, t.name, from_ms(t.at_ms), t.reason, t.automatic});
  }
  std::reverse(snap.recent_recoveries.begin(), snap.recent_recoveries.end());
  if (snap.recent_recoveries.size() > 20) snap.recent_recoveries.resize(20);

  for (const auto& a : store.actions(to_ms(now - 24h * 30))) {
    snap.recovery_actions += a.recovery ? 1 : 0;
    snap.recent_actions.push_back(
        {from_ms(a.at_ms), a.node, a.process, a.action, a.reason, a.outcome, a.recovery});
  }
  std::reverse(snap.recent_actions.begin(), snap.recent_actions.end());
  if (snap.recent_actions.size() > 20) snap.recent_actions.resize(20);
  return snap;
}

std::string render_markdown(const PhaseSnapshot& s) {
  auto met = [](bool b) { return b ? "MET" : "NOT MET"; };
  const std::string target = target_percent(s.targets.uptime);
  std::string out = "# " + s.phase + "\n\n";  // the config's own words, as written
  out += "Generated " + when(s.generated_at) + " by fleetgate.\n\n";
  out += "## Current Resource Snapshot\n\n";
  out += "| Resource | Value | Target | Status |\n|----------|-------|--------|--------|\n";
  out += fmt::format("| Fleet operational | {} | Yes | {} |\n", s.fleet_operational ? "Yes" : "No",
                     met(s.fleet_operational));
  out += fmt::format("| Uptime (30d average) | {} | >= {} | {} |\n", percent(s.uptime_30d), target,
                     met(s.uptime_met()));
  out += fmt::format("| Days at {}+ uptime | {} | {} | {} |\n", target, s.days_at_uptime,
                     s.targets.days_at_uptime, met(s.days_met()));
  out += fmt::format("| Capacity utilization | {} | > {} | {} |\n", percent(s.capacity_utilization),
                     target_percent(s.targets.capacity), met(s.capacity_met()));
  out += fmt::format("\n**{} trigger: {}**\n\n", s.next_phase, s.ready() ? "READY" : "NOT READY");

  out += "## Uptime\n\n";
  if (s.subjects.empty()) {
    out += "Nothing watched yet.\n\n";
  } else {
    out += fmt::format(
        "| Subject | State | Since | 24 h | 7 d | 30 d | Days at {}+ |\n"
        "|---------|-------|-------|------|-----|------|-------------|\n",
        target);
    for (const auto& u : s.subjects) {
      std::string state = u.state;
      std::transform(state.begin(), state.end(), state.begin(), ::toupper);
      out += fmt::format("| {} {} | {} | {} | {} | {} | {} | {} |\n", markdown_text(u.kind),
                         markdown_text(u.name), state, u.since ? when(*u.since) : "-",
                         percent(u.uptime_24h), percent(u.uptime_7d), percent(u.uptime_30d),
                         u.days_at_uptime);
    }
    out += "\n";
  }

  out += "## Capacity (30 days)\n\n";
  if (s.capacity.empty()) {
    out += "No backends.\n\n";
  } else {
    out +=
        "| Backend | Requests | Busy | Up | Utilization |\n"
        "|---------|----------|------|----|-------------|\n";
    for (const auto& c : s.capacity)
      out += fmt::format("| {} | {} | {:.1f} h | {:.1f} h | {} |\n", markdown_text(c.deployment),
                         c.requests, c.busy_hours, c.up_hours, percent(c.utilization));
    out += fmt::format("| **Fleet** | | | | **{}** |\n\n", percent(s.capacity_utilization));
  }

  out += "## Open Alerts\n\n";
  if (s.open_alerts.empty()) {
    out += "None.\n\n";
  } else {
    out +=
        "| Alert | Subject | Severity | Since | Summary |\n"
        "|-------|---------|----------|-------|---------|\n";
    for (const auto& a : s.open_alerts)
      out += fmt::format("| {} | {} | {} | {} | {} |\n", markdown_text(a.alertname),
                         markdown_text(a.subject), markdown_text(a.severity), when(a.since),
                         markdown_text(a.summary));
    out += "\n";
  }

  out += "## Recoveries (30 days)\n\n";
  out += fmt::format("- Automatic (fleetgate healed it, e.g. the agent respawned a process): {}\n",
                     s.automatic_recoveries);
  out += fmt::format("- Manual or by itself: {}\n", s.other_recoveries);
  if (!s.recent_recoveries.empty()) {
    out += "\n| When | Subject | How | Reason |\n|------|---------|-----|--------|\n";
    for (const auto& r : s.recent_recoveries)
      out += fmt::format("| {} | {} {} | {} | {} |\n", when(r.at), markdown_text(r.kind),
                         markdown_text(r.name), r.automatic ? "automatic" : "manual",
                         markdown_text(r.reason));
  }
  if (!s.recent_actions.empty()) {
    out += "\n## Agent actions (30 days)\n\n";
    out += fmt::format("- Recovery actions (restarts after a failed probe or check): {}\n\n",
                       s.recovery_actions);
    out +=
        "| When | Process | Action | Why | Outcome "
        "|\n|------|---------|--------|-----|---------|\n";
    for (const auto& a : s.recent_actions)
      out += fmt::format("| {} | {}/{} | {} | {} | {} |\n", when(a.at), markdown_text(a.node),
                         markdown_text(a.process), markdown_text(a.action), markdown_text(a.reason),
                         markdown_text(a.outcome));
  }
  return out;
}

}  // namespace fleetgate
