// Public model name -> the deployments that serve it, and the weighted pick among them. Pure.
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

  // LiteLLM's simple-shuffle: a random pick weighted by `weight`; `random` is uniform in [0, 1).
  std::optional<DeploymentIndex> pick(std::string_view model_name, double random) const;

  // A weighted pick among the members of `model_name` for which `allowed(index)` holds.
  template <class Allowed>
  std::optional<DeploymentIndex> pick_among(std::string_view model_name, double random,
                                            Allowed&& allowed) const {
    auto it = groups_.find(model_name);
    if (it == groups_.end()) return std::nullopt;
    const Group& g = it->second;
    double total = 0;
    for (std::size_t k = 0; k < g.members.size(); ++k)
      if (allowed(g.members[k])) total += g.weights[k];
    if (total <= 0) return std::nullopt;
    double target = random * total;
    std::optional<DeploymentIndex> last;
    for (std::size_t k = 0; k < g.members.size(); ++k) {
      if (!allowed(g.members[k])) continue;
      last = g.members[k];
      if (target < g.weights[k]) return last;
      target -= g.weights[k];
    }
    return last;  // rounding at the top end
  }

  // router_settings.fallbacks / context_window_fallbacks for `model_name` (empty when none).
  const std::vector<std::string>& fallbacks(std::string_view model_name) const;
  const std::vector<std::string>& context_window_fallbacks(std::string_view model_name) const;

  // Public model names in config order, each once (for GET /v1/models).
  const std::vector<std::string>& model_names() const { return names_; }

 private:
  struct Group {
    std::vector<DeploymentIndex> members;
    std::vector<double> cumulative_weight;
    std::vector<double> weights;
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
