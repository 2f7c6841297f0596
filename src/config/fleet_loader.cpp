#include "config/fleet_loader.h"

#include "config/fleet_loader_internal.h"

#include "config/url.h"
#include "core/cron.h"
#include "core/text_forms.h"

#include <charconv>
#include <cmath>
#include <set>

namespace fleetgate {

std::string_view to_string(Metric m) {
  switch (m) {
    case Metric::DiskUsedPercent: return "disk_used_percent";
    case Metric::MemoryUsedPercent: return "memory_used_percent";
    case Metric::CpuLoadPerCore: return "cpu_load_per_core";
    case Metric::GpuTemperatureC: return "gpu_temperature_c";
    case Metric::GpuMemoryUsedPercent: return "gpu_memory_used_percent";
  }
  return "?";
}

std::optional<Metric> parse_metric(std::string_view name) {
  for (Metric m : {Metric::DiskUsedPercent, Metric::MemoryUsedPercent, Metric::CpuLoadPerCore,
                   Metric::GpuTemperatureC, Metric::GpuMemoryUsedPercent})
    if (to_string(m) == name) return m;
  return std::nullopt;
}

namespace fleet_config {

void FleetLoader::run(const YAML::Node& node) {
  if (node.IsNull() || !r_.expect_map(node, "fleet")) return;
  for (auto it = node.begin(); it != node.end(); ++it) {
    const std::string key = r_.key(it->first);
    const std::string kpath = "fleet." + key;
    const YAML::Node v = it->second;
    if (key == "token") {
      if (auto s = secret(v, kpath)) f_.token = *s;
    } else if (key == "ping_key") {
      if (auto s = secret(v, kpath)) f_.ping_key = *s;
    } else if (key == "auto_create_checks") {
      if (auto b = r_.boolean(v, kpath)) f_.auto_create_checks = *b;
    } else if (key == "default_period") {
      positive(v, kpath, f_.default_period);
    } else if (key == "default_grace") {
      positive(v, kpath, f_.default_grace);
    } else if (key == "node_period") {
      positive(v, kpath, f_.node_period);
    } else if (key == "node_grace") {
      positive(v, kpath, f_.node_grace);
    } else if (key == "thresholds") {
      thresholds(v, kpath, f_.thresholds);
    } else if (key == "nodes") {
      nodes(v);
    } else if (key == "checks") {
      checks(v);
    } else if (key == "alerts") {
      alerts(v);
    } else if (key == "retention") {
      retention(v);
    } else if (key == "targets") {
      targets(v);
    } else {
      r_.error(it->first, kpath,
               "unknown key (token, ping_key, auto_create_checks, default_period, "
               "default_grace, node_period, node_grace, thresholds, nodes, checks, alerts, "
               "retention, targets)");
    }
  }
}

std::optional<std::string> FleetLoader::secret(const YAML::Node& v, const std::string& kpath) {
  auto s = r_.string(v, kpath);
  if (s && s->size() < 8) {
    r_.error(v, kpath, "must be at least 8 characters");
    return std::nullopt;
  }
  return s;
}

void FleetLoader::positive(const YAML::Node& v, const std::string& kpath, Duration& out) {
  if (auto d = r_.duration(v, kpath)) {
    if (d->count() <= 0)
      r_.error(v, kpath, "must be greater than 0");
    else
      out = *d;
  }
}

// "95%" or 0.95.
std::optional<double> FleetLoader::share(const YAML::Node& v, const std::string& kpath) {
  if (!v.IsScalar()) {
    r_.error(v, kpath, "must be a percentage such as 95% or a share such as 0.95");
    return std::nullopt;
  }
  std::string text = v.Scalar();
  const bool percent = !text.empty() && text.back() == '%';
  if (percent) text.pop_back();
  double value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || ptr != text.data() + text.size() || !std::isfinite(value)) {
    r_.error(v, kpath, "must be a percentage such as 95% or a share such as 0.95");
    return std::nullopt;
  }
  if (percent) value /= 100;
  if (value < 0 || value > 1) {
    r_.error(v, kpath, "must be between 0% and 100%");
    return std::nullopt;
  }
  return value;
}

void FleetLoader::thresholds(const YAML::Node& node, const std::string& base, ThresholdMap& out) {
  if (!r_.expect_map(node, base)) return;
  for (auto it = node.begin(); it != node.end(); ++it) {
    const std::string key = r_.key(it->first);
    const std::string kpath = base + "." + key;
    auto metric = parse_metric(key);
    if (!metric) {
      r_.error(it->first, kpath, std::string("unknown figure (") + kMetricNames + ")");
      continue;
    }
    const YAML::Node v = it->second;
    if (v.IsScalar() && (v.Scalar() == "off" || v.Scalar() == "none")) {
      out.erase(*metric);
      continue;
    }
    if (!r_.expect_map(v, kpath)) continue;
    ThresholdLevels t;
    bool have_clear = false;
    for (auto lv = v.begin(); lv != v.end(); ++lv) {
      const std::string lk = lv->first.Scalar();
      const std::string lpath = kpath + "." + lk;
      auto n = r_.number(lv->second, lpath);
      if (!n) continue;
      if (lk == "warning")
        t.warning = *n;
      else if (lk == "critical")
        t.critical = *n;
      else if (lk == "clear")
        t.clear = *n, have_clear = true;
      else
        r_.error(lv->first, lpath, "unknown key (warning, critical, clear)");
    }
    // Without `clear`: 5 % of the warning level below it, whatever the figure's scale (a
    // fixed 2 made a load warning of 1.5 clear only below -0.5: never).
    if (!have_clear) t.clear = t.warning - 0.05 * std::abs(t.warning);
    if (t.critical < t.warning)
      r_.error(v, kpath, "critical must be at or above warning");
    else if (t.clear > t.warning)
      r_.error(v, kpath, "clear must be at or below warning");
    else
      out[*metric] = t;
  }
}

void FleetLoader::nodes(const YAML::Node& list) {
  if (list.IsNull() || !r_.expect_list(list, "fleet.nodes")) return;
  std::set<std::string> names;
  for (std::size_t i = 0; i < list.size(); ++i) {
    const std::string path = "fleet.nodes[" + std::to_string(i) + "]";
    const YAML::Node n = list[i];
    if (!r_.expect_map(n, path)) continue;
    NodeSpec spec;
    spec.period = f_.node_period;
    spec.grace = f_.node_grace;
    spec.line = YamlReader::line(n);
    for (auto it = n.begin(); it != n.end(); ++it) {
      const std::string key = r_.key(it->first);
      const std::string kpath = path + "." + key;
      if (key == "name") {
        if (auto s = r_.string(it->second, kpath)) {
          if (!is_node_name(*s))
            r_.error(it->second, kpath, "must be 1 to 100 letters, digits, '-', '_' or '.'");
          else
            spec.name = *s;
        }
      } else if (key == "token") {
        if (auto s = secret(it->second, kpath)) spec.token = *s;
      } else if (key == "period") {
        positive(it->second, kpath, spec.period);
      } else if (key == "grace") {
        positive(it->second, kpath, spec.grace);
      } else if (key == "thresholds") {
        thresholds(it->second, kpath, spec.thresholds);
      } else {
        r_.error(it->first, kpath, "unknown key (name, token, period, grace, thresholds)");
      }
    }
    if (spec.name.empty()) {
      r_.error(n, path + ".name", "is required");
      continue;
    }
    if (!names.insert(spec.name).second) {
      r_.error(n, path + ".name", "duplicate node '" + spec.name + "'");
      continue;
    }
    f_.nodes.push_back(std::move(spec));
  }
}

void FleetLoader::checks(const YAML::Node& list) {
  if (list.IsNull() || !r_.expect_list(list, "fleet.checks")) return;
  std::set<std::string> names;
  std::set<std::string> uuids;
  for (std::size_t i = 0; i < list.size(); ++i) {
    const std::string path = "fleet.checks[" + std::to_string(i) + "]";
    const YAML::Node n = list[i];
    if (!r_.expect_map(n, path)) continue;
    CheckSpecConfig c;
    c.period = f_.default_period;
    c.grace = f_.default_grace;
    c.line = YamlReader::line(n);
    bool ok = true;
    YAML::Node cron_node;
    for (auto it = n.begin(); it != n.end(); ++it) {
      const std::string key = r_.key(it->first);
      const std::string kpath = path + "." + key;
      const YAML::Node v = it->second;
      if (key == "name") {
        auto s = r_.string(v, kpath);
        if (s && !is_slug(*s)) {
          r_.error(v, kpath, "must be a slug: lower-case letters, digits, '-', '_' or '.'");
          ok = false;
        } else if (s) {
          c.name = *s;
        }
      } else if (key == "period") {
        positive(v, kpath, c.period);
      } else if (key == "grace") {
        positive(v, kpath, c.grace);
      } else if (key == "max_runtime") {
        Duration d{};
        positive(v, kpath, d);
        if (d.count() > 0) c.max_runtime = d;
      } else if (key == "cron" || key == "schedule") {
        cron_node = v;
        if (auto s = r_.string(v, kpath)) {
          std::string problem;
          if (!CronSchedule::parse(*s, problem)) {
            r_.error(v, kpath, problem);
            ok = false;
          } else {
            c.cron = *s;
          }
        }
      } else if (key == "tz") {
        if (auto s = r_.string(v, kpath)) {
          std::string problem;
          if (!TimeZone::load(*s, problem)) {
            r_.error(v, kpath, problem);
            ok = false;
          } else {
            c.tz = *s;
          }
        }
      } else if (key == "uuid") {
        auto s = r_.string(v, kpath);
        if (s && !is_uuid(*s)) {
          r_.error(v, kpath, "must be a UUID such as 5f1c4a34-8c53-4a0e-9d6b-0a4a1f3c2b7e");
          ok = false;
        } else if (s && !uuids.insert(*s).second) {
          r_.error(v, kpath, "duplicate uuid");
          ok = false;
        } else if (s) {
          c.uuid = *s;
        }
      } else if (key == "key") {
        if (auto s = secret(v, kpath)) c.key = *s;
      } else if (key == "action") {
        ok &= action(v, kpath, c);
      } else {
        r_.error(it->first, kpath,
                 "unknown key (name, period, grace, max_runtime, cron, tz, uuid, key, action)");
      }
    }
    if (c.name.empty()) {
      if (ok) r_.error(n, path + ".name", "is required");
      continue;
    }
    if (!names.insert(c.name).second) {
      r_.error(n, path + ".name", "duplicate check '" + c.name + "'");
      continue;
    }
    if (ok) f_.checks.push_back(std::move(c));
  }
}

// checks[].action: {node: <agent's node>, restart: <its process>}
bool FleetLoader::action(const YAML::Node& v, const std::string& kpath, CheckSpecConfig& c) {
  if (!r_.expect_map(v, kpath)) return false;
  for (auto it = v.begin(); it != v.end(); ++it) {
    const std::string key = r_.key(it->first);
    if (key == "node") {
      if (auto s = r_.string(it->second, kpath + ".node")) c.action_node = *s;
    } else if (key == "restart") {
      if (auto s = r_.string(it->second, kpath + ".restart")) c.action_restart = *s;
    } else {
      r_.error(it->first, kpath + "." + key, "unknown key (node, restart)");
      return false;
    }
  }
  if (c.action_node.empty() || c.action_restart.empty()) {
    r_.error(v, kpath, "needs node and restart (the process the node's agent restarts)");
    return false;
  }
  return true;
}

void FleetLoader::retention(const YAML::Node& node) {
  if (!r_.expect_map(node, "fleet.retention")) return;
  auto& rt = f_.retention;
  for (auto it = node.begin(); it != node.end(); ++it) {
    const std::string key = r_.key(it->first);
    const std::string kpath = "fleet.retention." + key;
    if (key == "pings")
      positive(it->second, kpath, rt.pings);
    else if (key == "heartbeats")
      positive(it->second, kpath, rt.heartbeats);
    else if (key == "history")
      positive(it->second, kpath, rt.history);
    else if (key == "responses")
      positive(it->second, kpath, rt.responses);
    else if (key == "requests")
      positive(it->second, kpath, rt.requests);
    else
      r_.error(it->first, kpath, "unknown key (pings, heartbeats, history, responses, requests)");
  }
}

void FleetLoader::targets(const YAML::Node& node) {
  if (!r_.expect_map(node, "fleet.targets")) return;
  auto& t = f_.targets;
  for (auto it = node.begin(); it != node.end(); ++it) {
    const std::string key = r_.key(it->first);
    const std::string kpath = "fleet.targets." + key;
    const YAML::Node v = it->second;
    if (key == "phase") {
      if (auto s = r_.string(v, kpath)) t.phase = *s;
    } else if (key == "next_phase") {
      if (auto s = r_.string(v, kpath)) t.next_phase = *s;
    } else if (key == "uptime") {
      if (auto s = share(v, kpath)) t.uptime = *s;
    } else if (key == "days_at_uptime") {
      if (auto n = r_.integer(v, kpath, 0, 365)) t.days_at_uptime = static_cast<int>(*n);
    } else if (key == "capacity") {
      if (auto s = share(v, kpath)) t.capacity = *s;
    } else {
      r_.error(it->first, kpath,
               "unknown key (phase, next_phase, uptime, days_at_uptime, capacity)");
    }
  }
}
}  // namespace fleet_config

void load_fleet_section(YamlReader& r, const YAML::Node& node, FleetSettings& out) {
  fleet_config::FleetLoader(r, out).run(node);
}

}  // namespace fleetgate
