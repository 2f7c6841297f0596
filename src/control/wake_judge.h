// The on-demand wake's judgement, as plain code: after the gateway asked an agent to start a
// process, what the agent's latest word says now — ready, failed, no such process, out of time,
// or wait. The gateway's coroutine only asks, sleeps and looks again.
#pragma once

#include "control/agent_channel.h"

#include <optional>

namespace fleetgate {

enum class WakeVerdict {
  Wait,     // nothing new yet, and time is left
  Ready,    // a heartbeat after the ask says it is running
  Failed,   // a heartbeat after the ask says it died (fatal or exited)
  Missing,  // the agent reports, and has no such process (every heartbeat lists them all)
  TimedOut  // not ready by the deadline
};

struct WakeJudge {
  ControlTime asked;  // when the start was asked for (or found under way)
  ControlTime until;  // the deadline: the ready timeout, within the request's time

  // `seen`: what the agent last said of the process; `agent_reported`: whether its node's agent
  // has sent any heartbeat.
  WakeVerdict judge(const std::optional<AgentChannel::ProcessView>& seen, bool agent_reported,
                    ControlTime now) const;
};

}  // namespace fleetgate
