// What heartbeats and the gateway's backends tell the fleet monitor: thresholds per node,
// supervised processes, backend health and drift.
#include "fleet/fleet_monitor.h"

#include "fleet/fleet_monitor_internal.h"

#include "core/text_forms.h"

#include "core/json_escape.h"
#include "core/secret.h"
#include "core/wall_time.h"
#include "fleet/alertmanager.h"
#include "fleet/silence_json.h"

#include <fmt/format.h>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include <algorithm>

namespace fleetgate {

using namespace monitoring;

const ThresholdMap& FleetMonitor::thresholds_for(const std::string& node) const {
  for (const auto& n : settings_.nodes)
    if (n.name == node && !n.thresholds.empty()) return n.thresholds;
  return settings_.thresholds;
}

void FleetMonitor::heartbeat(const Heartbeat& hb, const std::string& raw, FleetTime now,
                             WriteBatch& out) {
  const bool known = find(SubjectKind::Node, hb.node) != nullptr;
  const auto i = add_subject(SubjectKind::Node, hb.node, false);
  if (!known && hb.period)  // a node not in the config is judged by the period it announces
    subjects_[i].state.set_spec(check_spec(hb.node, *hb.period, settings_.node_grace, {}));
  Subject& s = subjects_[i];
  auto t = s.state.ping(now);
  s.last_seen = now;
  s.detail = raw;
  HeartbeatRow row;
  row.node = hb.node;
  row.at_ms = to_ms(now);
  row.body = raw;
  const std::vector<Reading> figures = readings(hb);
  for (const auto& r : figures) {
    if (r.metric == Metric::CpuLoadPerCore) row.cpu_load_per_core = r.value;
    if (r.metric == Metric::MemoryUsedPercent) row.memory_used_percent = r.value;
    if (r.metric == Metric::DiskUsedPercent)
      row.disk_used_percent = std::max(row.disk_used_percent, r.value);
  }
  out.heartbeats.push_back(std::move(row));
  if (t) changed(i, *t, false, out);
  check_thresholds(i, hb.node, figures, now, out);
  processes(hb, now, out);
  arm(i);
  store_subject(subjects_[i], out);
}

void FleetMonitor::check_thresholds(std::uint32_t node, const std::string& name,
                                    const std::vector<Reading>& figures, FleetTime now,
                                    WriteBatch& out) {
  const ThresholdMap& specs = thresholds_for(name);
  for (const auto& r : figures) {
    auto spec = specs.find(r.metric);
    if (spec == specs.end()) continue;
    Subject& s = subjects_[node];
    auto& th = s.thresholds.try_emplace({r.metric, r.instance}, spec->second).first->second;
    auto level = th.update(r.value);
    if (!level) continue;
    const std::string rule = rule_of(r.metric);
    if (*level == Level::Ok) {
      resolve(rule, s, now, out, r.instance);
      continue;
    }
    const bool critical = *level == Level::Critical;
    Labels labels{{"severity", critical ? "critical" : "warning"},
                  {"metric", std::string(to_string(r.metric))}};
    if (!r.instance.empty()) labels["instance"] = r.instance;
    const std::string where = s.name + (r.instance.empty() ? "" : " " + r.instance);
    const double line = critical ? spec->second.critical : spec->second.warning;
    fire(rule, s, std::move(labels),
         {{"summary", fmt::format("{} on {} is {:.1f} ({} at {:g})", to_string(r.metric), where,
                                  r.value, critical ? "critical" : "warning", line)},
          {"value", fmt::format("{:.1f}", r.value)}},
         now, out, r.instance);
  }
}

void FleetMonitor::processes(const Heartbeat& hb, FleetTime now, WriteBatch& out) {
  for (const auto& a : hb.actions)
    out.actions.push_back({hb.node, a.process, a.action, a.reason, a.outcome, a.recovery,
                           a.at_ms ? a.at_ms : to_ms(now)});
  for (const auto& p : hb.processes) {
    const auto i = add_subject(SubjectKind::Process, hb.node + "/" + p.name, false);
    Subject& s = subjects_[i];
    const bool respawned = p.restarts > s.restarts;
    s.restarts = p.restarts;
    s.last_seen = now;
    s.detail = "{\"state\":" + json_string(p.state) +
               ",\"restarts\":" + std::to_string(p.restarts) +
               (p.pid ? ",\"pid\":" + std::to_string(*p.pid) : std::string()) + "}";
    std::optional<Transition> t;
    if (p.failed()) {
      if (s.state.health() != Health::Down)
        t = s.state.fail(
            now, p.state + (p.exit_status ? " (exit status " + std::to_string(*p.exit_status) + ")"
                                          : std::string()));
    } else if (s.state.health() != Health::Up) {
      t = s.state.ping(now);
      if (t)
        t->reason = respawned
                        ? "respawned by the agent (restart " + std::to_string(p.restarts) + ")"
                        : p.state;
    }
    // A recovery is automatic when the agent's restart count went up: it respawned it.
    if (t) {
      changed(i, *t, t->to == Health::Up && respawned, out);
    } else if (respawned && s.state.health() == Health::Up) {
      // Died and came back between two heartbeats: the history gets the restart (as an
      // automatic recovery, no time down), receivers are not paged for it.
      const std::string kind(to_string(s.kind));
      const std::string why = "respawned by the agent (restart " + std::to_string(p.restarts) + ")";
      out.transitions.push_back({kind, s.name, "up", "down", why, to_ms(now), false});
      out.transitions.push_back({kind, s.name, "down", "up", why, to_ms(now), true});
      s.reason = why;
    } else if (!t && s.state.health() == Health::Up && s.reason != p.state &&
               (s.reason == "starting" || s.reason == "running" || s.reason == "stopping" ||
                s.reason == "stopped")) {
      s.reason = p.state;  // a plain state word follows the process (on-demand start, stop)
    }
    store_subject(s, out);
  }
}

void FleetMonitor::backend(const std::string& id, bool up, const std::string& reason,
                           const std::optional<ModelDriftReport>& drift, FleetTime now,
                           WriteBatch& out) {
  const auto i = add_subject(SubjectKind::Backend, id, true);
  Subject& s = subjects_[i];
  s.last_seen = now;
  std::optional<Transition> t;
  if (up && s.state.health() != Health::Up) t = s.state.ping(now);
  if (!up && s.state.health() != Health::Down) t = s.state.fail(now, reason);
  if (t) {
    t->reason = reason;
    changed(i, *t, false, out);
  }
  if (t || s.drift != drift.has_value()) {  // a drift that starts or ends shows in the reason
    s.drift = drift.has_value();
    s.reason = reason;
    store_subject(s, out);
  }
  if (!drift) {
    resolve("ModelDrift", subjects_[i], now, out);
    return;
  }
  std::string listed;
  for (const auto& m : drift->listed) listed += (listed.empty() ? "" : ",") + m;
  fire("ModelDrift", subjects_[i],
       {{"severity", "warning"},
        {"deployment", id},
        {"declared_model", drift->declared},
        {"listed_models", listed}},
       {{"summary", "deployment " + id + " does not list model " + drift->declared},
        {"description", "its backend lists " + (listed.empty() ? "nothing" : listed) + "; " +
                            (drift->ejected ? "not routed to it (on_drift: eject)"
                                            : "still routed to it (on_drift: alert)")}},
       now, out);
}

}  // namespace fleetgate
