#include "control/wake_judge.h"

namespace fleetgate {

WakeVerdict WakeJudge::judge(const std::optional<AgentChannel::ProcessView>& seen,
                             bool agent_reported, ControlTime now) const {
  if (seen && seen->updated > asked && seen->state) {
    if (*seen->state == ProcessState::Running) return WakeVerdict::Ready;
    if (*seen->state == ProcessState::Fatal || *seen->state == ProcessState::Exited)
      return WakeVerdict::Failed;
  }
  if (!seen && agent_reported) return WakeVerdict::Missing;
  return now >= until ? WakeVerdict::TimedOut : WakeVerdict::Wait;
}

}  // namespace fleetgate
