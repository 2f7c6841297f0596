// The supervisor's decisions between processes and over time, as plain code: which members of an
// exclusive group must stop before one of them starts, when a waiting member may start, and when
// an idle on-demand process is stopped. The supervisor gathers the facts, asks, and then spawns
// or signals; one process's own restarts and backoff are ProcessLifecycle's.
#pragma once

#include "agent/process_lifecycle.h"

#include <cstddef>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

namespace fleetgate {

// What the policy needs to know of each supervised process.
struct MemberView {
  std::string_view exclusive;  // its exclusive group; empty: none
  bool alive = false;          // it has a process (a pid) now
  ProcessState state = ProcessState::Stopped;
};

// For `starter` to start: the others of its exclusive group that must be stopped first (those
// alive or waiting to restart). Empty when it has no group.
std::vector<std::size_t> must_stop_first(std::span<const MemberView> members, std::size_t starter);

// A member waiting for its group may start once no other member of the group is alive.
bool group_is_clear(std::span<const MemberView> members, std::size_t waiting);

// An on-demand process is stopped once it has run unused for `idle_stop_after`, unless an
// action on it is under way.
bool idle_stop_due(std::optional<Duration> idle_stop_after, ProcessState state,
                   bool action_under_way, AgentTime last_used, AgentTime now);

}  // namespace fleetgate
