// router_settings and litellm_settings: retries, timeouts, cooldowns and fallbacks, read as
// LiteLLM's Router reads them (router_settings first, litellm_settings where it is silent).
#include "config/load_context.h"
#include "core/model_pattern.h"

#include <map>

namespace fleetgate {

namespace {

class RouterLoader {
 public:
  RouterLoader(LoadContext& c, bool litellm)
      : c_(c),
        r_(c.r),
        litellm_(litellm),
        section_(litellm ? "litellm_settings" : "router_settings") {}

  void run(const YAML::Node& node) {
    if (YamlReader::is_null(node) || !r_.expect_map(node, section_)) return;
    auto& rs = c_.config.router;
    for (auto it = node.begin(); it != node.end(); ++it) {
      const std::string key = r_.key(it->first);
      const std::string kpath = section_ + "." + key;
      const YAML::Node v = it->second;  // a copy: the iterator hands out a temporary
      if (key == "routing_strategy" && !litellm_) {
        routing_strategy(v, kpath);
      } else if (key == "num_retries") {
        if (auto n = r_.integer(v, kpath, 0, 100); n && may_set(key))
          rs.num_retries = static_cast<int>(*n);
      } else if (key == "max_fallbacks") {
        if (auto n = r_.integer(v, kpath, 0, 100); n && may_set(key))
          rs.max_fallbacks = static_cast<int>(*n);
      } else if (key == "allowed_fails") {
        if (auto n = r_.integer(v, kpath, 0, 1000000); n && may_set(key))
          rs.allowed_fails = static_cast<int>(*n);
      } else if (key == (litellm_ ? "request_timeout" : "timeout")) {
        if (auto t = r_.duration(v, kpath); t && may_set("timeout")) rs.timeout = *t;
      } else if (key == "cooldown_time") {
        if (auto t = r_.duration(v, kpath); t && may_set(key)) rs.cooldown_time = *t;
      } else if (key == "fallbacks" || key == "context_window_fallbacks") {
        auto list = fallbacks(v, kpath);
        if (may_set(key)) (key == "fallbacks" ? rs.fallbacks : rs.context_window_fallbacks) = list;
      } else if (key == "default_fallbacks") {
        default_fallbacks(v, kpath);
      } else if (key == "model_group_alias" && !litellm_) {
        aliases(v, kpath);
      } else {
        r_.warn(it->first, kpath, kIgnored);
      }
    }
  }

 private:
  // litellm_settings gives way to router_settings, in whichever order the file has them.
  bool may_set(const std::string& key) {
    if (litellm_) return !c_.set_by_router_settings.count(key);
    c_.set_by_router_settings.insert(key);
    return true;
  }

  void routing_strategy(const YAML::Node& v, const std::string& kpath) {
    static const std::set<std::string> kKnown = {"simple-shuffle",         "least-busy",
                                                 "latency-based-routing",  "usage-based-routing",
                                                 "usage-based-routing-v2", "cost-based-routing"};
    auto s = r_.string(v, kpath);
    if (!s) return;
    if (!kKnown.count(*s)) {
      r_.error(v, kpath,
               "unknown strategy '" + *s +
                   "' (simple-shuffle, least-busy, latency-based-routing, usage-based-routing)");
      return;
    }
    c_.config.router.routing_strategy = *s;
    if (*s == "cost-based-routing")
      r_.warn(v, kpath, "'" + *s + "' is not implemented yet; using simple-shuffle");
  }

  // [{"model-a": ["model-b", ...]}, ...]; a single name is taken as a list of one.
  std::vector<Fallback> fallbacks(const YAML::Node& v, const std::string& kpath) {
    std::vector<Fallback> out;
    if (YamlReader::is_null(v) || !r_.expect_list(v, kpath)) return out;
    for (std::size_t i = 0; i < v.size(); ++i) {
      const std::string ipath = kpath + "[" + std::to_string(i) + "]";
      const YAML::Node entry = v[i];
      if (!entry.IsMap() || entry.size() != 1) {
        r_.error(entry, ipath, "must be a one-key mapping such as {\"model-a\": [\"model-b\"]}");
        continue;
      }
      auto it = entry.begin();
      Fallback f;
      f.model_name = it->first.Scalar();
      f.key = ipath;
      f.line = YamlReader::line(entry);
      const YAML::Node targets = it->second;
      if (targets.IsScalar()) {
        if (auto s = r_.string(targets, ipath + "." + f.model_name)) f.to.push_back(*s);
      } else if (r_.expect_list(targets, ipath + "." + f.model_name)) {
        for (std::size_t j = 0; j < targets.size(); ++j)
          if (auto s = r_.string(targets[j], ipath + "." + f.model_name)) f.to.push_back(*s);
      }
      out.push_back(std::move(f));
    }
    return out;
  }

  // {"claude-sonnet-4-5": "coder"} or {"gpt-4": {model: "coder", hidden: true}}, as LiteLLM.
  void aliases(const YAML::Node& v, const std::string& kpath) {
    if (YamlReader::is_null(v) || !r_.expect_map(v, kpath)) return;
    for (auto it = v.begin(); it != v.end(); ++it) {
      ModelAlias a;
      a.name = r_.key(it->first);
      a.line = YamlReader::line(it->first);
      const std::string apath = kpath + "." + a.name;
      const YAML::Node target = it->second;
      if (target.IsMap()) {
        for (auto f = target.begin(); f != target.end(); ++f) {
          const std::string field = r_.key(f->first);
          if (field == "model") {
            if (auto s = r_.string(f->second, apath + ".model")) a.target = *s;
          } else if (field == "hidden") {
            if (auto b = r_.boolean(f->second, apath + ".hidden")) a.hidden = *b;
          } else {
            r_.error(f->first, apath + "." + field, "unknown key (model, hidden)");
          }
        }
      } else if (auto s = r_.string(target, apath)) {
        a.target = *s;
      }
      if (a.target.empty()) {
        r_.error(target, apath, "needs the model_name it stands for");
        continue;
      }
      c_.config.router.aliases.push_back(std::move(a));
    }
  }

  void default_fallbacks(const YAML::Node& v, const std::string& kpath) {
    if (YamlReader::is_null(v) || !r_.expect_list(v, kpath)) return;
    Fallback f{"*", {}, kpath, YamlReader::line(v)};
    for (std::size_t j = 0; j < v.size(); ++j)
      if (auto s = r_.string(v[j], kpath)) f.to.push_back(*s);
    if (may_set("default_fallbacks")) c_.default_fallbacks = std::move(f);
  }

  LoadContext& c_;
  YamlReader& r_;
  bool litellm_;
  std::string section_;
};

}  // namespace

void load_router_section(LoadContext& c, const YAML::Node& node, bool litellm) {
  RouterLoader(c, litellm).run(node);
}

void check_fallbacks(LoadContext& c) {
  Config& config = c.config;
  std::set<std::string> names;
  std::vector<ModelPattern> patterns;
  for (const auto& d : config.deployments)
    if (names.insert(d.model_name).second && ModelPattern::is_pattern(d.model_name))
      patterns.emplace_back(d.model_name);
  std::map<std::string, std::string> skipped;  // model name -> why its deployments were skipped
  for (const auto& s : config.skipped) skipped.emplace(s.model_name, s.why);
  auto served = [&](const std::string& m) {
    if (names.count(m)) return true;
    for (const auto& p : patterns)
      if (p.match(m)) return true;
    return false;
  };
  auto why_not = [&](const std::string& m) {
    auto it = skipped.find(m);
    return it != skipped.end() ? "whose every deployment was skipped (" + it->second + ")"
                               : std::string("which no deployment in model_list serves");
  };
  for (const auto& a : config.router.aliases) {
    if (names.count(a.name))
      c.r.error_at(a.line, "router_settings.model_group_alias." + a.name,
                   "'" + a.name + "' is a model_name already; an alias must be a new name");
    else if (!served(a.target))
      c.r.error_at(a.line, "router_settings.model_group_alias." + a.name,
                   "'" + a.target + "' is a model " + why_not(a.target));
  }
  if (c.default_fallbacks) config.router.fallbacks.push_back(*c.default_fallbacks);
  for (auto* list : {&config.router.fallbacks, &config.router.context_window_fallbacks}) {
    std::vector<Fallback> kept;
    for (auto& f : *list) {
      if (f.model_name != "*" && !served(f.model_name)) {
        config.warnings.push_back({c.r.file(), f.line, f.key,
                                   "'" + f.model_name + "' is a model " + why_not(f.model_name) +
                                       "; this entry never applies",
                                   true});
        continue;
      }
      std::vector<std::string> to;
      for (auto& t : f.to) {
        if (served(t)) {
          to.push_back(std::move(t));
          continue;
        }
        config.warnings.push_back({c.r.file(), f.line, f.key,
                                   "'" + f.model_name + "' falls back to '" + t + "', " +
                                       why_not(t) + "; that target is dropped",
                                   true});
      }
      if (to.empty()) continue;
      f.to = std::move(to);
      kept.push_back(std::move(f));
    }
    *list = std::move(kept);
  }
}

}  // namespace fleetgate
