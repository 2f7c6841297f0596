// Reads the `agent:` section of config.yaml into AgentSettings (problems as file:line issues).
#include "config/fleet_loader.h"

#include "config/url.h"
#include "core/text_forms.h"

#include <set>

namespace fleetgate {

namespace {

// An http(s) URL, as a probe needs it.
std::optional<std::string> http_url(YamlReader& r, const YAML::Node& v, const std::string& kpath) {
  auto s = r.string(v, kpath);
  if (!s) return std::nullopt;
  std::string problem;
  if (!parse_url(*s, problem)) {
    r.error(v, kpath, problem);
    return std::nullopt;
  }
  return s;
}

void load_processes(YamlReader& r, const YAML::Node& list, AgentSettings& out) {
  if (list.IsNull() || !r.expect_list(list, "agent.processes")) return;
  std::set<std::string> names;
  for (std::size_t i = 0; i < list.size(); ++i) {
    const std::string path = "agent.processes[" + std::to_string(i) + "]";
    const YAML::Node n = list[i];
    if (!r.expect_map(n, path)) continue;
    SupervisedProcess p;
    p.line = YamlReader::line(n);
    // Where to point an error; reset() rebinds (yaml-cpp's operator= would write into `n`).
    YAML::Node idle_node, restore_node;
    idle_node.reset(n);
    restore_node.reset(n);
    auto positive = [&](const YAML::Node& v, const std::string& kpath, Duration& into) {
      if (auto d = r.duration(v, kpath)) {
        if (d->count() <= 0)
          r.error(v, kpath, "must be greater than 0");
        else
          into = *d;
      }
    };
    for (auto it = n.begin(); it != n.end(); ++it) {
      const std::string key = r.key(it->first);
      const std::string kpath = path + "." + key;
      const YAML::Node v = it->second;
      if (key == "name") {
        auto s = r.string(v, kpath);
        if (s && !is_slug(*s))
          r.error(v, kpath, "must be a slug: lower-case letters, digits, '-', '_' or '.'");
        else if (s)
          p.name = *s;
      } else if (key == "command") {
        if (!r.expect_list(v, kpath)) continue;
        for (std::size_t k = 0; k < v.size(); ++k)
          if (auto s = r.string(v[k], kpath + "[" + std::to_string(k) + "]"))
            p.command.push_back(*s);
      } else if (key == "env") {
        if (!r.expect_map(v, kpath)) continue;
        for (auto e = v.begin(); e != v.end(); ++e)
          if (auto s = r.string(e->second, kpath + "." + e->first.Scalar()))
            p.env.emplace_back(e->first.Scalar(), *s);
      } else if (key == "cwd") {
        if (auto s = r.string(v, kpath)) p.cwd = *s;
      } else if (key == "restart") {
        auto s = r.string(v, kpath);
        if (s && *s != "always" && *s != "on-failure" && *s != "never")
          r.error(v, kpath, "must be always, on-failure or never");
        else if (s)
          p.restart = *s;
      } else if (key == "backoff_initial") {
        positive(v, kpath, p.backoff_initial);
      } else if (key == "backoff_max") {
        positive(v, kpath, p.backoff_max);
      } else if (key == "stable_after") {
        positive(v, kpath, p.stable_after);
      } else if (key == "max_failures") {
        if (auto k = r.integer(v, kpath, 1, 1000)) p.max_failures = static_cast<int>(*k);
      } else if (key == "failure_window") {
        positive(v, kpath, p.failure_window);
      } else if (key == "stop_timeout") {
        positive(v, kpath, p.stop_timeout);
      } else if (key == "log") {
        if (auto s = r.string(v, kpath)) p.log = *s;
      } else if (key == "log_max_size") {
        if (auto z = r.size(v, kpath)) p.log_max_size = *z;
      } else if (key == "start") {
        auto s = r.string(v, kpath);
        if (s && *s != "boot" && *s != "on_demand")
          r.error(v, kpath, "must be boot or on_demand");
        else if (s)
          p.on_demand = *s == "on_demand";
      } else if (key == "idle_stop_after") {
        Duration d{0};
        positive(v, kpath, d);
        if (d.count() > 0) p.idle_stop_after = d;
        idle_node.reset(v);
      } else if (key == "exclusive") {
        auto s = r.string(v, kpath);
        if (s && !is_slug(*s))
          r.error(v, kpath, "must be a slug: lower-case letters, digits, '-', '_' or '.'");
        else if (s)
          p.exclusive = *s;
      } else if (key == "ready_url" || key == "liveness_url") {
        if (auto s = http_url(r, v, kpath))
          (key == "ready_url" ? p.ready_url : p.liveness_url) = *s;
      } else if (key == "ready_timeout") {
        positive(v, kpath, p.ready_timeout);
      } else if (key == "liveness_period") {
        positive(v, kpath, p.liveness_period);
      } else if (key == "liveness_timeout") {
        positive(v, kpath, p.liveness_timeout);
      } else if (key == "liveness_failures") {
        if (auto k = r.integer(v, kpath, 1, 100)) p.liveness_failures = static_cast<int>(*k);
      } else if (key == "config_file") {
        if (auto s = r.string(v, kpath)) p.config_file = *s;
      } else if (key == "restore_config") {
        if (auto b = r.boolean(v, kpath)) p.restore_config = *b;
        restore_node.reset(v);
      } else {
        r.error(it->first, kpath,
                "unknown key (name, command, env, cwd, restart, backoff_initial, backoff_max, "
                "stable_after, max_failures, failure_window, stop_timeout, log, log_max_size, "
                "start, idle_stop_after, exclusive, ready_url, ready_timeout, liveness_url, "
                "liveness_period, liveness_timeout, liveness_failures, config_file, "
                "restore_config)");
      }
    }
    if (p.idle_stop_after && !p.on_demand) {
      r.error(idle_node, path + ".idle_stop_after", "needs start: on_demand");
      continue;
    }
    if (p.restore_config && p.config_file.empty()) {
      r.error(restore_node, path + ".restore_config", "needs config_file");
      continue;
    }
    if (p.name.empty()) {
      r.error(n, path + ".name", "is required");
      continue;
    }
    if (p.command.empty() || p.command.front().empty()) {
      r.error(n, path + ".command", "is required: a list, the program first");
      continue;
    }
    if (!names.insert(p.name).second) {
      r.error(n, path + ".name", "duplicate process '" + p.name + "'");
      continue;
    }
    out.processes.push_back(std::move(p));
  }
}

}  // namespace

void load_agent_section(YamlReader& r, const YAML::Node& node, AgentSettings& out) {
  out.line = YamlReader::line(node);
  if (node.IsNull() || !r.expect_map(node, "agent")) return;
  for (auto it = node.begin(); it != node.end(); ++it) {
    const std::string key = r.key(it->first);
    const std::string kpath = "agent." + key;
    const YAML::Node v = it->second;
    if (key == "node") {
      if (auto s = r.string(v, kpath)) {
        if (!is_node_name(*s))
          r.error(v, kpath, "must be 1 to 100 letters, digits, '-', '_' or '.'");
        else
          out.node = *s;
      }
    } else if (key == "server") {
      if (auto s = r.string(v, kpath)) {
        std::string problem;
        auto url = parse_url(*s, problem);
        if (!url)
          r.error(v, kpath, problem);
        else
          out.server = *s;
      }
    } else if (key == "token") {
      if (auto s = r.string(v, kpath)) out.token = *s;
    } else if (key == "period") {
      if (auto d = r.duration(v, kpath)) {
        if (d->count() < 1000)
          r.error(v, kpath, "must be at least 1s");
        else
          out.period = *d;
      }
    } else if (key == "log_dir") {
      if (auto s = r.string(v, kpath)) out.log_dir = *s;
    } else if (key == "processes") {
      load_processes(r, v, out);
    } else if (key == "mounts") {
      if (!r.expect_list(v, kpath)) continue;
      for (std::size_t i = 0; i < v.size(); ++i)
        if (auto s = r.string(v[i], kpath + "[" + std::to_string(i) + "]"))
          out.mounts.push_back(*s);
    } else {
      r.error(it->first, kpath,
              "unknown key (node, server, token, period, mounts, log_dir, processes)");
    }
  }
}

}  // namespace fleetgate
