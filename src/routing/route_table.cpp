#include "routing/route_table.h"

namespace fleetgate {

RouteTable::RouteTable(const Config& config) {
  for (std::size_t i = 0; i < config.deployments.size(); ++i) {
    const auto& d = config.deployments[i];
    auto [it, inserted] = groups_.try_emplace(d.model_name);
    if (inserted) names_.push_back(d.model_name);
    it->second.members.push_back(static_cast<DeploymentIndex>(i));
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

}  // namespace fleetgate
