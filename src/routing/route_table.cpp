#include "routing/route_table.h"

#include <algorithm>

namespace fleetgate {

RouteTable::RouteTable(const Config& config) {
  for (std::size_t i = 0; i < config.deployments.size(); ++i) {
    const auto& d = config.deployments[i];
    auto [it, inserted] = groups_.try_emplace(d.model_name);
    if (inserted) names_.push_back(d.model_name);
    auto& g = it->second;
    const double before = g.cumulative_weight.empty() ? 0.0 : g.cumulative_weight.back();
    g.members.push_back(static_cast<DeploymentIndex>(i));
    g.cumulative_weight.push_back(before + d.weight);
    g.weights.push_back(d.weight);
  }
  for (const auto& f : config.router.fallbacks)
    if (auto it = groups_.find(f.model_name); it != groups_.end()) it->second.fallbacks = f.to;
  for (const auto& f : config.router.context_window_fallbacks)
    if (auto it = groups_.find(f.model_name); it != groups_.end())
      it->second.context_window_fallbacks = f.to;
}

namespace {
const std::vector<std::string> kNone;
}

const std::vector<std::string>& RouteTable::fallbacks(std::string_view model_name) const {
  auto it = groups_.find(model_name);
  return it == groups_.end() ? kNone : it->second.fallbacks;
}

const std::vector<std::string>& RouteTable::context_window_fallbacks(
    std::string_view model_name) const {
  auto it = groups_.find(model_name);
  return it == groups_.end() ? kNone : it->second.context_window_fallbacks;
}

const std::vector<DeploymentIndex>* RouteTable::candidates(std::string_view model_name) const {
  auto it = groups_.find(model_name);
  return it == groups_.end() ? nullptr : &it->second.members;
}

std::optional<DeploymentIndex> RouteTable::pick(std::string_view model_name, double random) const {
  auto it = groups_.find(model_name);
  if (it == groups_.end()) return std::nullopt;
  const auto& g = it->second;
  if (g.members.size() == 1) return g.members.front();
  const double target = random * g.cumulative_weight.back();
  auto pos = std::upper_bound(g.cumulative_weight.begin(), g.cumulative_weight.end(), target);
  if (pos == g.cumulative_weight.end()) --pos;
  return g.members[static_cast<std::size_t>(pos - g.cumulative_weight.begin())];
}

}  // namespace fleetgate
