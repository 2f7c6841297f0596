// The fleet's recovery actions, as plain code: a check with an action (`fleet.checks[]
// .action: {node, restart}`) that goes down asks that node's agent to restart the process; its
// coming back up after that is an automatic recovery, and its transition says so. The service
// sends what this decides to the agent channel.
#pragma once

#include "config/fleet_settings.h"
#include "store/records.h"

#include <map>
#include <set>
#include <string>
#include <vector>

namespace fleetgate {

class RecoveryBook {
 public:
  explicit RecoveryBook(const std::vector<CheckSpecConfig>& checks);

  struct Step {
    enum class Kind { Restart, Recovered } kind;
    const CheckSpecConfig* check;
    std::string reason;  // for Restart: why, as the agent records it
  };
  // What the batch's check transitions call for; marks the ups that follow a restart as
  // automatic, and says so in their reason.
  std::vector<Step> on_transitions(std::vector<TransitionRow>& transitions);

 private:
  std::map<std::string, const CheckSpecConfig*, std::less<>> actions_;  // by check
  std::set<std::string, std::less<>> healing_;  // checks whose restart was asked, not yet up
};

}  // namespace fleetgate
