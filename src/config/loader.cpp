#include "config/loader.h"

#include "config/fleet_loader.h"
#include "config/load_context.h"
#include "config/yaml11.h"

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>

namespace fleetgate {
namespace {

class Loader {
 public:
  Loader(std::string file, const EnvLookup& env)
      : outer_env_(env),
        env_([this](const std::string& name) -> std::optional<std::string> {
          // LiteLLM copies environment_variables into os.environ before it reads the rest.
          if (auto it = config_env_.find(name); it != config_env_.end()) return it->second;
          return outer_env_(name);
        }),
        r_(file, env_, issues_, config_.warnings),
        c_{config_, r_, env_, {}, {}, {}, {}, 0} {
    config_.path = std::move(file);
  }

  ConfigResult run(const YAML::Node& root, std::string_view text) {
    if (YamlReader::is_null(root)) {
      r_.error(root, "", "the file is empty");
      return failure();
    }
    if (auto line = unterminated_quote(root, text)) {
      issues_.push_back({config_.path, *line, "", "invalid YAML: a quoted string is never closed"});
      return failure();
    }
    if (!r_.expect_map(root, "")) return failure();
    for (auto it = root.begin(); it != root.end(); ++it)
      if (it->first.Scalar() == "environment_variables") environment_variables(it->second);
    for (auto it = root.begin(); it != root.end(); ++it) {
      const std::string key = r_.key(it->first);
      const YAML::Node value = it->second;  // a copy: the iterator hands out a temporary
      if (key == "model_list")
        load_model_list(c_, value);
      else if (key == "router_settings")
        load_router_section(c_, value, false);
      else if (key == "litellm_settings")
        load_router_section(c_, value, true);
      else if (key == "general_settings")
        general_settings(value);
      else if (key == "fleetgate")
        load_gateway_section(c_, value);
      else if (key == "fleet")
        load_fleet_section(r_, value, config_.fleet);
      else if (key == "agent")
        load_agent_section(r_, value, config_.agent);
      else if (key == "environment_variables")
        continue;  // read first
      else if (key == "guardrails" || key == "callback_settings" || key == "credential_list" ||
               key == "mcp_servers" || key == "model_group_alias")
        r_.warn(it->first, key, kIgnored);
      else
        r_.warn(it->first, key, "unknown top-level key; ignored");
    }
    check_fallbacks(c_);
    check_auto_router(c_);
    if (config_.deployments.empty() && config_.skipped.empty() && issues_.empty())
      r_.warn(root, "model_list", "no deployments: every model request will get 404");
    const auto& listen = config_.gateway.listen;
    if (!is_loopback_host(listen.host) && !config_.master_key)
      issues_.push_back(
          {config_.path, c_.listen_line, "fleetgate.listen",
           "listening on " + listen.host + " (beyond loopback) needs general_settings.master_key"});
    if (!issues_.empty()) return failure();
    return std::move(config_);
  }

 private:
  // The errors with the warnings beside them, in file order.
  ConfigIssues failure() {
    ConfigIssues all = std::move(issues_);
    all.insert(all.end(), config_.warnings.begin(), config_.warnings.end());
    std::stable_sort(all.begin(), all.end(),
                     [](const ConfigIssue& a, const ConfigIssue& b) { return a.line < b.line; });
    return all;
  }

  // environment_variables: {NAME: value}, what os.environ/NAME gives (before the process's own).
  void environment_variables(const YAML::Node& node) {
    if (YamlReader::is_null(node) || !r_.expect_map(node, "environment_variables")) return;
    for (auto it = node.begin(); it != node.end(); ++it) {
      const std::string key = r_.key(it->first);
      if (YamlReader::is_null(it->second)) continue;
      if (!it->second.IsScalar()) {
        r_.error(it->second, "environment_variables." + key, "must be a string");
        continue;
      }
      config_env_[key] = it->second.Scalar();
    }
  }

  void general_settings(const YAML::Node& node) {
    if (YamlReader::is_null(node) || !r_.expect_map(node, "general_settings")) return;
    for (auto it = node.begin(); it != node.end(); ++it) {
      const std::string key = r_.key(it->first);
      const std::string kpath = "general_settings." + key;
      if (key == "master_key") {
        if (YamlReader::is_null(it->second)) continue;  // None: no key
        auto s = r_.string(it->second, kpath);
        if (s && s->empty())
          r_.error(it->second, kpath, "must not be empty");
        else if (s)
          config_.master_key = *s;
      } else {
        r_.warn(it->first, kpath, kIgnored);
      }
    }
  }

  const EnvLookup& outer_env_;
  std::map<std::string, std::string> config_env_;
  EnvLookup env_;
  Config config_;
  ConfigIssues issues_;
  YamlReader r_;
  LoadContext c_;
};

}  // namespace

std::string ConfigIssue::str() const {
  std::string out = file + ":" + std::to_string(line) + ": ";
  if (warning) out += "warning: ";
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
    const int at = e.mark.is_null() ? 0 : e.mark.line + 1;
    if (auto open = quote_left_open(text); open && *open < at)
      return ConfigIssues{{name, *open, "",
                           "invalid YAML: a quoted string opened here is not closed on its line (" +
                               e.msg + " at line " + std::to_string(at) + ")"}};
    return ConfigIssues{{name, at, "", "invalid YAML: " + e.msg}};
  }
  Loader loader(name, env);
  return loader.run(root, text);
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
