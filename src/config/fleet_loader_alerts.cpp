// fleet.alerts: where alerts go (webhooks, Alertmanager, exec) and how they are grouped.
#include "config/fleet_loader_internal.h"

#include "config/url.h"
#include "core/cron.h"
#include "core/text_forms.h"

#include <charconv>
#include <cmath>
#include <set>

namespace fleetgate::fleet_config {

void FleetLoader::alerts(const YAML::Node& node) {
  if (!r_.expect_map(node, "fleet.alerts")) return;
  auto& a = f_.alerts;
  for (auto it = node.begin(); it != node.end(); ++it) {
    const std::string key = r_.key(it->first);
    const std::string kpath = "fleet.alerts." + key;
    const YAML::Node v = it->second;
    if (key == "repeat_interval") {
      positive(v, kpath, a.repeat_interval);
    } else if (key == "flap_transitions") {
      if (auto n = r_.integer(v, kpath, 2, 1000)) a.flap_transitions = static_cast<int>(*n);
    } else if (key == "flap_window") {
      positive(v, kpath, a.flap_window);
    } else if (key == "retry_max") {
      positive(v, kpath, a.retry_max);
    } else if (key == "external_url") {
      if (auto s = r_.string(v, kpath)) a.external_url = *s;
    } else if (key == "receivers") {
      receivers(v);
    } else {
      r_.error(it->first, kpath,
               "unknown key (repeat_interval, flap_transitions, flap_window, retry_max, "
               "external_url, receivers)");
    }
  }
}

void FleetLoader::receivers(const YAML::Node& list) {
  if (list.IsNull() || !r_.expect_list(list, "fleet.alerts.receivers")) return;
  std::set<std::string> names;
  for (std::size_t i = 0; i < list.size(); ++i) {
    const std::string path = "fleet.alerts.receivers[" + std::to_string(i) + "]";
    const YAML::Node n = list[i];
    if (!r_.expect_map(n, path)) continue;
    ReceiverSpec rs;
    rs.line = YamlReader::line(n);
    for (auto it = n.begin(); it != n.end(); ++it) {
      const std::string key = r_.key(it->first);
      const std::string kpath = path + "." + key;
      const YAML::Node v = it->second;
      if (key == "name") {
        if (auto s = r_.string(v, kpath)) rs.name = *s;
      } else if (key == "webhook") {
        if (auto s = r_.string(v, kpath)) {
          std::string problem;
          if (!s->starts_with("http://") && !s->starts_with("https://"))
            r_.error(v, kpath, "must be an http:// or https:// URL");
          else if (!parse_url(*s, problem))
            r_.error(v, kpath, problem);
          else
            rs.webhook = *s;
        }
      } else if (key == "exec") {
        if (v.IsScalar()) {
          if (auto s = r_.string(v, kpath)) rs.exec = {*s};
        } else if (r_.expect_list(v, kpath)) {
          for (std::size_t k = 0; k < v.size(); ++k)
            if (auto s = r_.string(v[k], kpath + "[" + std::to_string(k) + "]"))
              rs.exec.push_back(*s);
        }
      } else if (key == "timeout") {
        positive(v, kpath, rs.timeout);
      } else {
        r_.error(it->first, kpath, "unknown key (name, webhook, exec, timeout)");
      }
    }
    if (rs.name.empty()) rs.name = "receiver-" + std::to_string(i + 1);
    if (rs.webhook.has_value() == !rs.exec.empty()) {
      r_.error(n, path, "needs exactly one of webhook or exec");
      continue;
    }
    if (!rs.exec.empty() && rs.exec.front().empty()) {
      r_.error(n, path + ".exec", "must name a program");
      continue;
    }
    if (!names.insert(rs.name).second) {
      r_.error(n, path + ".name", "duplicate receiver '" + rs.name + "'");
      continue;
    }
    f_.alerts.receivers.push_back(std::move(rs));
  }
}
}  // namespace fleetgate::fleet_config
