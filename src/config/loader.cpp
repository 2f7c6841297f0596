#include "config/loader.h"

#include "config/fleet_loader.h"
#include "config/yaml_reader.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <sstream>

namespace fleetgate {
namespace {

// LiteLLM settings that are valid there but that fleetgate does not act on (yet): one warning each.
constexpr const char* kNotYet = "not implemented by fleetgate yet; ignored";

std::string join(const std::string& a, const std::string& b) { return a.empty() ? b : a + "." + b; }

struct ProviderPrefix {
  std::string_view prefix;
  Provider provider;
};
constexpr ProviderPrefix kProviders[] = {
    {"openai/", Provider::OpenAI},          {"hosted_vllm/", Provider::HostedVllm},
    {"ollama_chat/", Provider::OllamaChat}, {"ollama/", Provider::Ollama},
    {"anthropic/", Provider::Anthropic},
};

class Loader {
 public:
  Loader(std::string file, const EnvLookup& env)
      : env_(env), r_(file, env, issues_, config_.warnings) {
    config_.path = std::move(file);
  }

  ConfigResult run(const YAML::Node& root) {
    if (root.IsNull()) {
      r_.error(root, "", "the file is empty");
      return issues_;
    }
    if (!r_.expect_map(root, "")) return issues_;
    for (auto it = root.begin(); it != root.end(); ++it) {
      const std::string key = it->first.Scalar();
      const YAML::Node value = it->second;  // a copy: the iterator hands out a temporary
      if (key == "model_list")
        model_list(value);
      else if (key == "router_settings")
        router_settings(value);
      else if (key == "general_settings")
        general_settings(value);
      else if (key == "fleetgate")
        fleetgate_section(value);
      else if (key == "fleet")
        load_fleet_section(r_, value, config_.fleet);
      else if (key == "agent")
        load_agent_section(r_, value, config_.agent);
      else if (key == "litellm_settings" || key == "environment_variables" || key == "guardrails" ||
               key == "callback_settings" || key == "credential_list")
        r_.warn(it->first, key, kNotYet);
      else
        r_.warn(it->first, key, "unknown top-level key; ignored");
    }
    validate_fallbacks();
    validate_auto_router();
    if (config_.deployments.empty() && issues_.empty())
      r_.warn(root, "model_list", "no deployments: every model request will get 404");
    const auto& listen = config_.gateway.listen;
    if (!is_loopback_host(listen.host) && !config_.master_key)
      issues_.push_back(
          {config_.path, listen_line_, "fleetgate.listen",
           "listening on " + listen.host + " (beyond loopback) needs general_settings.master_key"});
    if (!issues_.empty()) return issues_;
    return std::move(config_);
  }

 private:
  void model_list(const YAML::Node& list) {
    if (list.IsNull()) return;
    if (!r_.expect_list(list, "model_list")) return;
    std::map<std::string, int> count_by_name;
    std::set<std::string> ids;
    for (std::size_t i = 0; i < list.size(); ++i) {
      const std::string path = "model_list[" + std::to_string(i) + "]";
      auto d = deployment(list[i], path);
      if (!d) continue;
      if (d->id.empty())
        d->id = d->model_name + "#" + std::to_string(++count_by_name[d->model_name]);
      if (!ids.insert(d->id).second) {
        r_.error(list[i], path + ".model_info.id", "duplicate deployment id '" + d->id + "'");
        continue;
      }
      config_.deployments.push_back(std::move(*d));
    }
  }

  std::optional<Deployment> deployment(const YAML::Node& node, const std::string& path) {
    if (!r_.expect_map(node, path)) return std::nullopt;
    Deployment d;
    d.line = YamlReader::line(node);
    bool ok = true;
    bool have_params = false;
    for (auto it = node.begin(); it != node.end(); ++it) {
      const std::string key = it->first.Scalar();
      const std::string kpath = join(path, key);
      if (key == "model_name") {
        auto v = r_.string(it->second, kpath);
        if (v && v->empty()) r_.error(it->second, kpath, "must not be empty");
        if (!v || v->empty())
          ok = false;
        else
          d.model_name = *v;
      } else if (key == "litellm_params") {
        have_params = true;
        ok = litellm_params(it->second, kpath, d) && ok;
      } else if (key == "model_info") {
        if (!r_.expect_map(it->second, kpath)) {
          ok = false;
          continue;
        }
        for (auto mi = it->second.begin(); mi != it->second.end(); ++mi) {
          if (mi->first.Scalar() == "id") {
            auto v = r_.string(mi->second, kpath + ".id");
            if (v)
              d.id = *v;
            else
              ok = false;
          }
        }
      } else if (key == "on_demand") {
        ok = on_demand(it->second, kpath, d) && ok;
      } else {
        warn_once(it->first, kpath, key, kNotYet);
      }
    }
    if (d.model_name.empty() && ok) {
      r_.error(node, path + ".model_name", "is required");
      ok = false;
    }
    if (!have_params) {
      r_.error(node, path + ".litellm_params", "is required");
      ok = false;
    }
    if (!ok || skip_) {
      skip_ = false;
      return std::nullopt;
    }
    return d;
  }

  // model_list[].on_demand: {node, process, ready_timeout}
  bool on_demand(const YAML::Node& v, const std::string& path, Deployment& d) {
    if (!r_.expect_map(v, path)) return false;
    Deployment::OnDemand o;
    bool ok = true;
    for (auto it = v.begin(); it != v.end(); ++it) {
      const std::string key = it->first.Scalar();
      const std::string kpath = path + "." + key;
      if (key == "node" || key == "process") {
        auto s = r_.string(it->second, kpath);
        if (!s || s->empty()) {
          if (s) r_.error(it->second, kpath, "must not be empty");
          ok = false;
        } else {
          (key == "node" ? o.node : o.process) = *s;
        }
      } else if (key == "ready_timeout") {
        auto t = r_.duration(it->second, kpath);
        if (t && t->count() <= 0) r_.error(it->second, kpath, "must be greater than 0");
        if (!t || t->count() <= 0)
          ok = false;
        else
          o.ready_timeout = *t;
      } else {
        r_.error(it->first, kpath, "unknown key (node, process, ready_timeout)");
        ok = false;
      }
    }
    if (ok && (o.node.empty() || o.process.empty())) {
      r_.error(v, path, "needs node and process (the agent's node and its on-demand process)");
      ok = false;
    }
    if (ok) d.on_demand = std::move(o);
    return ok;
  }

  bool litellm_params(const YAML::Node& params, const std::string& path, Deployment& d) {
    if (!r_.expect_map(params, path)) return false;
    bool ok = true;
    std::optional<std::string> api_base;
    YAML::Node api_base_node;
    bool have_model = false;
    for (auto it = params.begin(); it != params.end(); ++it) {
      const std::string key = it->first.Scalar();
      const std::string kpath = join(path, key);
      const YAML::Node v = it->second;  // a copy: the iterator hands out a temporary
      if (key == "model") {
        have_model = true;
        ok = model_field(v, kpath, d) && ok;
      } else if (key == "api_base") {
        api_base = r_.string(v, kpath);
        api_base_node = it->second;
        ok = api_base.has_value() && ok;
      } else if (key == "api_key") {
        auto s = r_.string(v, kpath);
        if (s)
          d.api_key = *s;
        else
          ok = false;
      } else if (key == "max_parallel_requests") {
        auto n = r_.integer(v, kpath, 1, 1000000);
        if (!n)
          ok = false;
        else
          d.max_parallel_requests = static_cast<std::uint32_t>(*n);
      } else if (key == "rpm" || key == "tpm") {
        auto n = r_.integer(v, kpath, 0, UINT32_MAX);
        if (!n)
          ok = false;
        else
          (key == "rpm" ? d.rpm : d.tpm) = static_cast<std::uint32_t>(*n);
      } else if (key == "weight") {
        auto n = r_.number(v, kpath);
        if (n && *n <= 0) r_.error(v, kpath, "must be greater than 0");
        if (!n || *n <= 0)
          ok = false;
        else
          d.weight = *n;
      } else if (key == "order") {
        auto n = r_.integer(v, kpath, 1, 1000);
        if (n)
          d.order = static_cast<int>(*n);
        else
          ok = false;
      } else if (key == "timeout" || key == "stream_timeout") {
        auto t = r_.duration(v, kpath);
        if (t && t->count() == 0) r_.error(v, kpath, "must be greater than 0");
        if (!t || t->count() == 0)
          ok = false;
        else
          (key == "timeout" ? d.timeout : d.stream_timeout) = *t;
      } else if (key == "max_retries") {
        auto n = r_.integer(v, kpath, 0, 100);
        if (n)
          d.max_retries = static_cast<int>(*n);
        else
          ok = false;
      } else {
        warn_once(it->first, kpath, "litellm_params." + key, kNotYet);
      }
    }
    if (!have_model) {
      r_.error(params, path + ".model", "is required (e.g. hosted_vllm/Qwen/Qwen2.5-7B-Instruct)");
      return false;
    }
    if (!ok || skip_) return ok;
    if (!api_base) {
      switch (d.provider) {
        case Provider::OpenAI: api_base = "https://api.openai.com/v1"; break;
        case Provider::Ollama:
        case Provider::OllamaChat: api_base = "http://localhost:11434"; break;
        case Provider::Anthropic: api_base = "https://api.anthropic.com"; break;
        case Provider::HostedVllm:
          r_.error(params, path + ".api_base", "is required for hosted_vllm/ deployments");
          return false;
      }
      if (d.provider == Provider::OpenAI && !d.api_key) {
        if (auto key = env_openai_key()) d.api_key = key;
      }
      if (d.provider == Provider::Anthropic && !d.api_key) {
        if (auto key = env_("ANTHROPIC_API_KEY")) d.api_key = key;
      }
    }
    std::string problem;
    auto url = parse_url(*api_base, problem);
    if (!url) {
      r_.error(api_base_node.IsDefined() ? api_base_node : params, path + ".api_base", problem);
      return false;
    }
    d.api_base = std::move(*url);
    return true;
  }

  bool model_field(const YAML::Node& v, const std::string& kpath, Deployment& d) {
    auto model = r_.string(v, kpath);
    if (!model) return false;
    for (const auto& p : kProviders) {
      if (std::string_view(*model).starts_with(p.prefix)) {
        d.provider = p.provider;
        d.upstream_model = model->substr(p.prefix.size());
        if (d.upstream_model.empty()) {
          r_.error(v, kpath, "names no model after '" + std::string(p.prefix) + "'");
          return false;
        }
        return true;
      }
    }
    const auto slash = model->find('/');
    if (slash == std::string::npos) {  // LiteLLM treats a bare name as an OpenAI model
      d.provider = Provider::OpenAI;
      d.upstream_model = *model;
      return true;
    }
    r_.warn(v, kpath,
            "provider '" + model->substr(0, slash) +
                "' is not supported (openai/, hosted_vllm/, ollama/, ollama_chat/); deployment "
                "skipped");
    skip_ = true;
    return true;
  }

  void router_settings(const YAML::Node& node) {
    if (node.IsNull() || !r_.expect_map(node, "router_settings")) return;
    auto& rs = config_.router;
    for (auto it = node.begin(); it != node.end(); ++it) {
      const std::string key = it->first.Scalar();
      const std::string kpath = "router_settings." + key;
      const YAML::Node v = it->second;  // a copy: the iterator hands out a temporary
      if (key == "routing_strategy") {
        static const std::set<std::string> kKnown = {
            "simple-shuffle",         "least-busy",
            "latency-based-routing",  "usage-based-routing",
            "usage-based-routing-v2", "cost-based-routing"};
        auto s = r_.string(v, kpath);
        if (!s) continue;
        if (!kKnown.count(*s)) {
          r_.error(v, kpath,
                   "unknown strategy '" + *s +
                       "' (simple-shuffle, least-busy, "
                       "latency-based-routing, usage-based-routing)");
          continue;
        }
        rs.routing_strategy = *s;
        if (*s == "cost-based-routing")
          r_.warn(v, kpath, "'" + *s + "' is not implemented yet; using simple-shuffle");
      } else if (key == "num_retries") {
        if (auto n = r_.integer(v, kpath, 0, 100)) rs.num_retries = static_cast<int>(*n);
      } else if (key == "allowed_fails") {
        if (auto n = r_.integer(v, kpath, 0, 1000000)) rs.allowed_fails = static_cast<int>(*n);
      } else if (key == "timeout") {
        if (auto t = r_.duration(v, kpath)) rs.timeout = *t;
      } else if (key == "cooldown_time") {
        if (auto t = r_.duration(v, kpath)) rs.cooldown_time = *t;
      } else if (key == "fallbacks" || key == "context_window_fallbacks") {
        auto& out = key == "fallbacks" ? rs.fallbacks : rs.context_window_fallbacks;
        fallbacks(v, kpath, out);
        fallback_nodes_.push_back({kpath, v});
      } else {
        r_.warn(it->first, kpath, kNotYet);
      }
    }
  }

  void fallbacks(const YAML::Node& v, const std::string& kpath, std::vector<Fallback>& out) {
    if (v.IsNull() || !r_.expect_list(v, kpath)) return;
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
      const YAML::Node targets = it->second;
      if (!r_.expect_list(targets, ipath + "." + f.model_name)) continue;
      for (std::size_t j = 0; j < targets.size(); ++j) {
        if (auto s = r_.string(targets[j], ipath + "." + f.model_name)) f.to.push_back(*s);
      }
      out.push_back(std::move(f));
    }
  }

  void validate_fallbacks() {
    std::set<std::string> names;
    for (const auto& d : config_.deployments) names.insert(d.model_name);
    auto check = [&](const std::vector<Fallback>& list, const std::string& kpath,
                     const YAML::Node& at) {
      std::map<std::string, std::vector<std::string>> graph;
      for (const auto& f : list) {
        for (const std::string& m : {f.model_name}) {
          if (!names.count(m)) r_.error(at, kpath, "names unknown model '" + m + "'");
        }
        for (const auto& t : f.to) {
          if (!names.count(t))
            r_.error(at, kpath, "'" + f.model_name + "' falls back to unknown model '" + t + "'");
          graph[f.model_name].push_back(t);
        }
      }
      // Depth-first search for a cycle; a fallback chain that loops would retry forever.
      std::map<std::string, int> state;  // 0 new, 1 on stack, 2 done
      std::vector<std::string> stack;
      std::function<bool(const std::string&)> visit = [&](const std::string& m) {
        state[m] = 1;
        stack.push_back(m);
        for (const auto& t : graph[m]) {
          if (state[t] == 1) {
            std::string cycle;
            auto start = std::find(stack.begin(), stack.end(), t);
            for (auto s = start; s != stack.end(); ++s) cycle += *s + " -> ";
            r_.error(at, kpath, "fallback cycle: " + cycle + t);
            return true;
          }
          if (state[t] == 0 && visit(t)) return true;
        }
        stack.pop_back();
        state[m] = 2;
        return false;
      };
      for (const auto& [m, _] : graph) {
        if (state[m] == 0 && visit(m)) break;
      }
    };
    for (const auto& [kpath, node] : fallback_nodes_) {
      check(kpath.ends_with("context_window_fallbacks") ? config_.router.context_window_fallbacks
                                                        : config_.router.fallbacks,
            kpath, node);
    }
  }

  void general_settings(const YAML::Node& node) {
    if (node.IsNull() || !r_.expect_map(node, "general_settings")) return;
    for (auto it = node.begin(); it != node.end(); ++it) {
      const std::string key = it->first.Scalar();
      const std::string kpath = "general_settings." + key;
      if (key == "master_key") {
        auto s = r_.string(it->second, kpath);
        if (s && s->empty())
          r_.error(it->second, kpath, "must not be empty");
        else if (s)
          config_.master_key = *s;
      } else {
        r_.warn(it->first, kpath, kNotYet);
      }
    }
  }

  void fleetgate_section(const YAML::Node& node) {
    if (node.IsNull() || !r_.expect_map(node, "fleetgate")) return;
    auto& g = config_.gateway;
    for (auto it = node.begin(); it != node.end(); ++it) {
      const std::string key = it->first.Scalar();
      const std::string kpath = "fleetgate." + key;
      const YAML::Node v = it->second;  // a copy: the iterator hands out a temporary
      if (key == "listen") {
        listen_line_ = YamlReader::line(v);
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
      } else {
        r_.error(it->first, kpath,
                 "unknown key (listen, threads, max_request_body, "
                 "max_idle_upstream_per_backend, access_log, timeouts, health_checks, "
                 "queue_timeout, max_queued, auto_router)");
      }
    }
  }

  void auto_router(const YAML::Node& node) {
    const std::string base = "fleetgate.auto_router";
    if (!r_.expect_map(node, base)) return;
    auto_node_ = node;
    auto& a = config_.gateway.auto_router;
    YAML::Node rules;
    bool have_rules = false;
    for (auto it = node.begin(); it != node.end(); ++it) {
      const std::string key = it->first.Scalar();
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
      const std::string key = it->first.Scalar();
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

  void validate_auto_router() {
    const auto& a = config_.gateway.auto_router;
    if (a.model_name.empty()) return;
    std::set<std::string> names;
    for (const auto& d : config_.deployments) names.insert(d.model_name);
    if (names.count(a.model_name))
      r_.error(auto_node_, "fleetgate.auto_router.model",
               "'" + a.model_name + "' is also a model_name in model_list");
    for (const auto& t : a.tiers)
      if (!names.count(t))
        r_.error(auto_node_, "fleetgate.auto_router.tiers", "names unknown model '" + t + "'");
  }

  void health_checks(const YAML::Node& node) {
    if (!r_.expect_map(node, "fleetgate.health_checks")) return;
    auto& h = config_.gateway.health_checks;
    for (auto it = node.begin(); it != node.end(); ++it) {
      const std::string key = it->first.Scalar();
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
      } else {
        r_.error(it->first, kpath, "unknown key (interval, timeout, rise, fall)");
      }
    }
  }

  void timeouts(const YAML::Node& node) {
    if (!r_.expect_map(node, "fleetgate.timeouts")) return;
    auto& t = config_.gateway.timeouts;
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
      const std::string key = it->first.Scalar();
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

  void warn_once(const YAML::Node& at, const std::string& kpath, const std::string& what,
                 const char* problem) {
    if (warned_.insert(what).second) r_.warn(at, kpath, problem);
  }

  std::optional<std::string> env_openai_key() { return env_("OPENAI_API_KEY"); }

 private:
  const EnvLookup& env_;
  Config config_;
  ConfigIssues issues_;
  YamlReader r_;
  std::set<std::string> warned_;
  std::vector<std::pair<std::string, YAML::Node>> fallback_nodes_;
  YAML::Node auto_node_;
  int listen_line_ = 0;
  bool skip_ = false;
};

}  // namespace

std::string ConfigIssue::str() const {
  std::string out = file + ":" + std::to_string(line) + ": ";
  if (!key.empty()) out += key + ": ";
  return out + problem;
}

std::string_view to_string(Provider p) {
  switch (p) {
    case Provider::OpenAI: return "openai";
    case Provider::HostedVllm: return "hosted_vllm";
    case Provider::Ollama: return "ollama";
    case Provider::OllamaChat: return "ollama_chat";
    case Provider::Anthropic: return "anthropic";
  }
  return "openai";
}

EnvLookup process_env() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* v = std::getenv(name.c_str());
    if (!v) return std::nullopt;
    return std::string(v);
  };
}

ConfigResult load_config_text(const std::string& text, const std::string& name,
                              const EnvLookup& env) {
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    return ConfigIssues{
        {name, e.mark.is_null() ? 0 : e.mark.line + 1, "", "invalid YAML: " + e.msg}};
  }
  Loader loader(name, env);
  return loader.run(root);
}

ConfigResult load_config_file(const std::string& path, const EnvLookup& env) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return ConfigIssues{{path, 0, "", "cannot open the file"}};
  std::ostringstream text;
  text << in.rdbuf();
  return load_config_text(text.str(), path, env);
}

}  // namespace fleetgate

namespace boost::system {
void throw_exception_from_error(const fleetgate::ConfigIssues& e, const boost::source_location&) {
  throw std::runtime_error(e.empty() ? "invalid config" : e.front().str());
}
}  // namespace boost::system
