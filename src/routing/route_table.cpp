#include "routing/route_table.h"

#include <algorithm>

namespace fleetgate {

RouteTable::RouteTable(const Config& config) {
  for (std::size_t i = 0; i < config.deployments.size(); ++i) {
    const auto& d = config.deployments[i];
    auto [it, inserted] = groups_.try_emplace(d.model_name);
    if (inserted) names_.push_back(d.model_name);
    it->second.push_back(static_cast<DeploymentIndex>(i));
  }
  for (const auto& name : names_)
    if (ModelPattern::is_pattern(name))
      patterns_.push_back({ModelPattern(name), &groups_.find(name)->second});
  std::stable_sort(patterns_.begin(), patterns_.end(), [](const Pattern& a, const Pattern& b) {
    return a.pattern.specificity() > b.pattern.specificity();
  });
  for (const auto& a : config.router.aliases) {
    if (groups_.count(a.name) || !aliases_.try_emplace(a.name, a.target).second) continue;
    if (!a.hidden) names_.push_back(a.name);
  }
  // The first entry for a model counts, as LiteLLM's lookup stops at the first match.
  for (const auto& f : config.router.fallbacks) fallbacks_.try_emplace(f.model_name, f.to);
  for (const auto& f : config.router.context_window_fallbacks)
    context_window_fallbacks_.try_emplace(f.model_name, f.to);
}

RouteTable::Route RouteTable::resolve(std::string_view requested) const {
  if (auto it = groups_.find(requested); it != groups_.end()) return {&it->second, it->first};
  if (auto a = aliases_.find(requested); a != aliases_.end()) {
    const std::string_view target = a->second;
    if (auto it = groups_.find(target); it != groups_.end()) return {&it->second, it->first};
    for (const auto& p : patterns_)
      if (p.pattern.match(target)) return {p.members, p.pattern.text()};
    return {};
  }
  for (const auto& p : patterns_)
    if (p.pattern.match(requested)) return {p.members, p.pattern.text()};
  return {};
}

namespace {
const std::vector<std::string> kNone;
}

const std::vector<std::string>& RouteTable::lookup(const ByName<std::vector<std::string>>& table,
                                                   std::string_view requested) const {
  if (table.empty()) return kNone;
  if (auto it = table.find(requested); it != table.end()) return it->second;
  if (const Route r = resolve(requested); r.members && r.group != requested)
    if (auto it = table.find(r.group); it != table.end()) return it->second;
  if (const auto slash = requested.find('/'); slash != std::string_view::npos)
    if (auto it = table.find(requested.substr(slash + 1)); it != table.end()) return it->second;
  if (auto it = table.find("*"); it != table.end()) return it->second;
  return kNone;
}

const std::vector<std::string>& RouteTable::fallbacks(std::string_view requested) const {
  return lookup(fallbacks_, requested);
}

const std::vector<std::string>& RouteTable::context_window_fallbacks(
    std::string_view requested) const {
  return lookup(context_window_fallbacks_, requested);
}

}  // namespace fleetgate
