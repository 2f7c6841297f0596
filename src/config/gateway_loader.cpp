// fleetgate's own section: listener, limits, timeouts, health checks, the auto router.
#include "config/load_context.h"

#include <algorithm>
#include <cctype>
#include <map>

namespace fleetgate {

namespace {

class GatewayLoader {
 public:
  explicit GatewayLoader(LoadContext& c) : c_(c), r_(c.r) {}

  void fleetgate_section(const YAML::Node& node) {
    if (YamlReader::is_null(node) || !r_.expect_map(node, "fleetgate")) return;
    auto& g = c_.config.gateway;
    for (auto it = node.begin(); it != node.end(); ++it) {
      const std::string key = r_.key(it->first);
      const std::string kpath = "fleetgate." + key;
      const YAML::Node v = it->second;  // a copy: the iterator hands out a temporary
      if (key == "listen") {
        c_.listen_line = YamlReader::line(v);
        auto s = r_.string(v, kpath);
        if (!s) continue;
        std::string problem;
        if (auto hp = parse_host_port(*s, problem))
          g.listen = Endpoint{hp->host, hp->port};
        else
          r_.error(v, kpath, problem);
      } else if (key == "threads") {
        if (auto n = r_.integer(v, kpath, 0, 256)) g.threads = static_cast<unsigned>(*n);
      } else if (key == "max_request_body") {
        if (auto n = r_.size(v, kpath)) {
          if (*n == 0)
            r_.error(v, kpath, "must be greater than 0");
          else
            g.max_request_body = *n;
        }
      } else if (key == "max_idle_upstream_per_backend") {
        if (auto n = r_.integer(v, kpath, 0, 100000))
          g.max_idle_upstream_per_backend = static_cast<std::uint32_t>(*n);
      } else if (key == "access_log") {
        if (auto s = r_.string(v, kpath)) {
          if (s->empty())
            r_.error(v, kpath, "must be stdout, off or a file path");
          else
            g.access_log = *s;
        }
      } else if (key == "timeouts") {
        timeouts(v);
      } else if (key == "health_checks") {
        health_checks(v);
      } else if (key == "auto_router") {
        auto_router(v);
      } else if (key == "queue_timeout") {
        if (auto d = r_.duration(v, kpath)) g.queue_timeout = *d;
      } else if (key == "max_queued") {
        if (auto n = r_.integer(v, kpath, 0, 1000000))
          g.max_queued = static_cast<std::uint32_t>(*n);
      } else if (key == "max_connections" || key == "max_connections_per_peer") {
        if (auto n = r_.integer(v, kpath, 1, 10000000))
          (key == "max_connections" ? g.max_connections : g.max_connections_per_peer) =
              static_cast<std::uint32_t>(*n);
      } else if (key == "allowed_hosts") {
        if (!r_.expect_list(v, kpath)) continue;
        for (std::size_t i = 0; i < v.size(); ++i) {
          auto h = r_.string(v[i], kpath);
          if (h && (h->empty() || h->find_first_of(" /:@") != std::string::npos))
            r_.error(v[i], kpath, "must be a host name such as gpu1.lan, without a port");
          else if (h)
            g.allowed_hosts.push_back(*h);
        }
      } else {
        r_.error(it->first, kpath,
                 "unknown key (listen, threads, max_request_body, "
                 "max_idle_upstream_per_backend, access_log, timeouts, health_checks, "
                 "queue_timeout, max_queued, auto_router, max_connections, "
                 "max_connections_per_peer, allowed_hosts)");
      }
    }
  }

  void auto_router(const YAML::Node& node) {
    const std::string base = "fleetgate.auto_router";
    if (!r_.expect_map(node, base)) return;
    c_.auto_router_node.emplace(node);
    auto& a = c_.config.gateway.auto_router;
    YAML::Node rules;
    bool have_rules = false;
    for (auto it = node.begin(); it != node.end(); ++it) {
      const std::string key = r_.key(it->first);
      const std::string kpath = base + "." + key;
      const YAML::Node v = it->second;
      if (key == "model") {
        if (auto s = r_.string(v, kpath)) a.model_name = *s;
      } else if (key == "tiers") {
        if (!r_.expect_list(v, kpath)) continue;
        for (std::size_t i = 0; i < v.size(); ++i)
          if (auto s = r_.string(v[i], kpath)) a.tiers.push_back(*s);
      } else if (key == "rules") {
        rules = v;
        have_rules = true;
      } else {
        r_.error(it->first, kpath, "unknown key (model, tiers, rules)");
      }
    }
    if (a.model_name.empty()) r_.error(node, base + ".model", "is required (e.g. auto)");
    if (a.tiers.empty()) r_.error(node, base + ".tiers", "needs at least one model name");
    auto tier_of = [&](const YAML::Node& n,
                       const std::string& kpath) -> std::optional<std::size_t> {
      auto s = r_.string(n, kpath);
      if (!s) return std::nullopt;
      for (std::size_t i = 0; i < a.tiers.size(); ++i)
        if (a.tiers[i] == *s) return i;
      r_.error(n, kpath, "'" + *s + "' is not one of the tiers");
      return std::nullopt;
    };
    if (!have_rules) {  // the defaults: everything cheap unless the request says otherwise
      const std::size_t top = a.tiers.empty() ? 0 : a.tiers.size() - 1;
      const std::size_t mid = a.tiers.size() > 1 ? 1 : 0;
      a.rules = {{AutoRule::Kind::PromptTokens, mid, 2000, {}},
                 {AutoRule::Kind::MaxTokens, mid, 1024, {}},
                 {AutoRule::Kind::Code, mid, 0, {}},
                 {AutoRule::Kind::Tools, mid, 0, {}},
                 {AutoRule::Kind::Turns, mid, 12, {}},
                 {AutoRule::Kind::Keywords,
                  top,
                  0,
                  {"step by step", "prove", "derive", "think carefully", "plan"}}};
      return;
    }
    if (!r_.expect_map(rules, base + ".rules")) return;
    for (auto it = rules.begin(); it != rules.end(); ++it) {
      const std::string key = r_.key(it->first);
      const std::string kpath = base + ".rules." + key;
      const YAML::Node v = it->second;
      AutoRule rule;
      static const std::map<std::string, AutoRule::Kind> kKinds = {
          {"prompt_tokens", AutoRule::Kind::PromptTokens},
          {"max_tokens", AutoRule::Kind::MaxTokens},
          {"code", AutoRule::Kind::Code},
          {"tools", AutoRule::Kind::Tools},
          {"turns", AutoRule::Kind::Turns},
          {"keywords", AutoRule::Kind::Keywords}};
      auto kind = kKinds.find(key);
      if (kind == kKinds.end()) {
        r_.error(it->first, kpath,
                 "unknown rule (prompt_tokens, max_tokens, code, tools, turns, keywords)");
        continue;
      }
      rule.kind = kind->second;
      if (rule.kind == AutoRule::Kind::Code || rule.kind == AutoRule::Kind::Tools) {
        auto t = tier_of(v, kpath);  // code: complex
        if (!t) continue;
        rule.tier = *t;
      } else {
        if (!r_.expect_map(v, kpath)) continue;
        const YAML::Node tier = v["tier"];
        if (!tier) {
          r_.error(v, kpath + ".tier", "is required");
          continue;
        }
        auto t = tier_of(tier, kpath + ".tier");
        if (!t) continue;
        rule.tier = *t;
        if (rule.kind == AutoRule::Kind::Keywords) {
          const YAML::Node list = v["any"];
          if (!list || !r_.expect_list(list, kpath + ".any")) {
            if (!list) r_.error(v, kpath + ".any", "is required (a list of phrases)");
            continue;
          }
          for (std::size_t i = 0; i < list.size(); ++i) {
            if (auto s = r_.string(list[i], kpath + ".any")) {
              std::string lower = *s;
              std::transform(lower.begin(), lower.end(), lower.begin(),
                             [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
              rule.any.push_back(lower);
            }
          }
        } else {
          const YAML::Node over = v["over"];
          if (!over) {
            r_.error(v, kpath + ".over", "is required (a number)");
            continue;
          }
          auto n = r_.integer(over, kpath + ".over", 0, 100000000);
          if (!n) continue;
          rule.over = static_cast<std::uint64_t>(*n);
        }
      }
      a.rules.push_back(std::move(rule));
    }
  }

  void check_auto_router() {
    const auto& a = c_.config.gateway.auto_router;
    if (a.model_name.empty()) return;
    std::set<std::string> names;
    for (const auto& d : c_.config.deployments) names.insert(d.model_name);
    if (names.count(a.model_name))
      r_.error(*c_.auto_router_node, "fleetgate.auto_router.model",
               "'" + a.model_name + "' is also a model_name in model_list");
    for (const auto& t : a.tiers)
      if (!names.count(t))
        r_.error(*c_.auto_router_node, "fleetgate.auto_router.tiers",
                 "names unknown model '" + t + "'");
  }

  void health_checks(const YAML::Node& node) {
    if (!r_.expect_map(node, "fleetgate.health_checks")) return;
    auto& h = c_.config.gateway.health_checks;
    for (auto it = node.begin(); it != node.end(); ++it) {
      const std::string key = r_.key(it->first);
      const std::string kpath = "fleetgate.health_checks." + key;
      const YAML::Node v = it->second;
      if (key == "interval") {
        if (auto d = r_.duration(v, kpath)) h.interval = *d;
      } else if (key == "timeout") {
        if (auto d = r_.duration(v, kpath)) {
          if (d->count() == 0)
            r_.error(v, kpath, "must be greater than 0");
          else
            h.timeout = *d;
        }
      } else if (key == "rise") {
        if (auto n = r_.integer(v, kpath, 1, 100)) h.rise = static_cast<int>(*n);
      } else if (key == "fall") {
        if (auto n = r_.integer(v, kpath, 1, 100)) h.fall = static_cast<int>(*n);
      } else if (key == "on_drift") {
        auto s = r_.string(v, kpath);
        if (s && *s == "alert")
          h.on_drift = HealthCheckSettings::OnDrift::Alert;
        else if (s && *s == "eject")
          h.on_drift = HealthCheckSettings::OnDrift::Eject;
        else if (s)
          r_.error(v, kpath, "must be alert or eject, not '" + *s + "'");
      } else {
        r_.error(it->first, kpath, "unknown key (interval, timeout, rise, fall, on_drift)");
      }
    }
  }

  void timeouts(const YAML::Node& node) {
    if (!r_.expect_map(node, "fleetgate.timeouts")) return;
    auto& t = c_.config.gateway.timeouts;
    const std::pair<const char*, Duration*> fields[] = {{"connect", &t.connect},
                                                        {"request", &t.request},
                                                        {"first_byte", &t.first_byte},
                                                        {"stream_idle", &t.stream_idle},
                                                        {"client_header", &t.client_header},
                                                        {"client_body", &t.client_body},
                                                        {"keepalive", &t.keepalive},
                                                        {"upstream_idle", &t.upstream_idle},
                                                        {"drain", &t.drain}};
    for (auto it = node.begin(); it != node.end(); ++it) {
      const std::string key = r_.key(it->first);
      const std::string kpath = "fleetgate.timeouts." + key;
      Duration* target = nullptr;
      for (const auto& [name, field] : fields)
        if (key == name) target = field;
      if (!target) {
        r_.error(it->first, kpath,
                 "unknown timeout (connect, request, first_byte, stream_idle, "
                 "client_header, client_body, keepalive, upstream_idle, drain)");
        continue;
      }
      auto d = r_.duration(it->second, kpath);
      if (!d) continue;
      if (d->count() == 0)
        r_.error(it->second, kpath, "must be greater than 0");
      else
        *target = *d;
    }
  }

  LoadContext& c_;
  YamlReader& r_;
};

}  // namespace

void load_gateway_section(LoadContext& c, const YAML::Node& node) {
  GatewayLoader(c).fleetgate_section(node);
}

void check_auto_router(LoadContext& c) { GatewayLoader(c).check_auto_router(); }

}  // namespace fleetgate
