// What the loaders of config.yaml's sections share while one file is read (internal to config/).
#pragma once

#include "config/yaml_reader.h"

#include <optional>
#include <set>
#include <string>

namespace fleetgate {

struct LoadContext {
  Config& config;
  YamlReader& r;
  const EnvLookup& env;                          // environment_variables first, then the process's
  std::set<std::string> warned;                  // keys already warned about, so each is named once
  std::set<std::string> set_by_router_settings;  // litellm_settings does not override these
  std::optional<Fallback> default_fallbacks;     // LiteLLM appends them as a generic "*" entry
  std::optional<YAML::Node> auto_router_node;    // fleetgate.auto_router, for its checks' lines
  int listen_line = 0;                           // fleetgate.listen's

  // Warns about `what` (a key path without list indexes) the first time only.
  void warn_once(const YAML::Node& at, const std::string& kpath, const std::string& what,
                 const std::string& problem) {
    if (warned.insert(what).second) r.warn(at, kpath, problem);
  }
};

// LiteLLM settings that fleetgate reads but does not act on.
inline constexpr const char* kIgnored = "not acted on by fleetgate; ignored";

void load_model_list(LoadContext& c, const YAML::Node& list);
// router_settings, or litellm_settings (`litellm` true): LiteLLM's names in each; values set in
// router_settings win over those in litellm_settings whatever their order in the file.
void load_router_section(LoadContext& c, const YAML::Node& node, bool litellm);
// Fallback entries that name models not served here are dropped with a warning saying why.
void check_fallbacks(LoadContext& c);
void load_gateway_section(LoadContext& c, const YAML::Node& node);
void check_auto_router(LoadContext& c);

}  // namespace fleetgate
