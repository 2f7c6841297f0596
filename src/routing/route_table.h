// Requested model name -> the deployments that serve it (exact model_name, else LiteLLM's
// wildcard patterns), and its fallbacks. Pure. (Choosing among them is routing/balancer.)
#pragma once

#include "config/config.h"
#include "core/model_pattern.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace fleetgate {

// Index into Config::deployments.
using DeploymentIndex = std::uint32_t;

class RouteTable {
 public:
  explicit RouteTable(const Config& config);

  struct Route {
    const std::vector<DeploymentIndex>* members = nullptr;  // config order; null: not served
    std::string_view group;  // the model_name that matched: the name itself, or "claude-*"
  };
  // The exact model_name wins; then an alias (model_group_alias) as its target; else the most
  // specific matching pattern (LiteLLM's order: the
  // longer pattern, then the one with more wildcards; the first written among equals).
  Route resolve(std::string_view requested) const;
  const std::vector<DeploymentIndex>* candidates(std::string_view requested) const {
    return resolve(requested).members;
  }

  // The fallback models of a requested name, looked up as LiteLLM does: the entry for the name,
  // else for the pattern that routed it, else for the name without its `provider/` prefix,
  // else the generic "*" entry (and default_fallbacks). Empty when none applies.
  const std::vector<std::string>& fallbacks(std::string_view requested) const;
  const std::vector<std::string>& context_window_fallbacks(std::string_view requested) const;

  // Public model names (patterns as written, then aliases not hidden) in config order, each once
  // (for GET /v1/models).
  const std::vector<std::string>& model_names() const { return names_; }

 private:
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  template <class T>
  using ByName = std::unordered_map<std::string, T, Hash, std::equal_to<>>;

  const std::vector<std::string>& lookup(const ByName<std::vector<std::string>>& table,
                                         std::string_view requested) const;

  ByName<std::vector<DeploymentIndex>> groups_;
  ByName<std::string> aliases_;  // router_settings.model_group_alias
  struct Pattern {
    ModelPattern pattern;
    const std::vector<DeploymentIndex>* members;
  };
  std::vector<Pattern> patterns_;  // most specific first
  ByName<std::vector<std::string>> fallbacks_;
  ByName<std::vector<std::string>> context_window_fallbacks_;
  std::vector<std::string> names_;
};

}  // namespace fleetgate
