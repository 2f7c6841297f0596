// Public model name -> the deployments that serve it, and its fallbacks. Pure. (Choosing among
// them is routing/balancer.)
#pragma once

#include "config/config.h"

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

  // The deployments serving `model_name` in config order, or nullptr when none does.
  const std::vector<DeploymentIndex>* candidates(std::string_view model_name) const;

  // router_settings.fallbacks / context_window_fallbacks for `model_name` (empty when none).
  const std::vector<std::string>& fallbacks(std::string_view model_name) const;
  const std::vector<std::string>& context_window_fallbacks(std::string_view model_name) const;

  // Public model names in config order, each once (for GET /v1/models).
  const std::vector<std::string>& model_names() const { return names_; }

 private:
  struct Group {
    std::vector<DeploymentIndex> members;
    std::vector<std::string> fallbacks;
    std::vector<std::string> context_window_fallbacks;
  };
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::unordered_map<std::string, Group, Hash, std::equal_to<>> groups_;
  std::vector<std::string> names_;
};

}  // namespace fleetgate
