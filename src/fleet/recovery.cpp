#include "fleet/recovery.h"

namespace fleetgate {

RecoveryBook::RecoveryBook(const std::vector<CheckSpecConfig>& checks) {
  for (const auto& c : checks)
    if (!c.action_node.empty()) actions_[c.name] = &c;
}

std::vector<RecoveryBook::Step> RecoveryBook::on_transitions(
    std::vector<TransitionRow>& transitions) {
  std::vector<Step> steps;
  if (actions_.empty()) return steps;
  for (auto& t : transitions) {
    if (t.kind != "check") continue;
    auto a = actions_.find(t.name);
    if (a == actions_.end()) continue;
    const CheckSpecConfig& c = *a->second;
    if (t.to == "down") {
      steps.push_back({Step::Kind::Restart, &c, "check " + c.name + " is down: " + t.reason});
      healing_.insert(c.name);
    } else if (t.to == "up") {
      steps.push_back({Step::Kind::Recovered, &c, {}});
      if (healing_.erase(c.name)) {
        t.automatic = true;
        t.reason += " (after the restart of " + c.action_node + "/" + c.action_restart + ")";
      }
    }
  }
  return steps;
}

}  // namespace fleetgate
