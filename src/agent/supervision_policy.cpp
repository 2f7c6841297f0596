#include "agent/supervision_policy.h"

namespace fleetgate {

std::vector<std::size_t> must_stop_first(std::span<const MemberView> members, std::size_t starter) {
  std::vector<std::size_t> out;
  const std::string_view group = members[starter].exclusive;
  if (group.empty()) return out;
  for (std::size_t i = 0; i < members.size(); ++i) {
    const MemberView& m = members[i];
    if (i == starter || m.exclusive != group) continue;
    if (m.alive || m.state == ProcessState::Backoff) out.push_back(i);
  }
  return out;
}

bool group_is_clear(std::span<const MemberView> members, std::size_t waiting) {
  const std::string_view group = members[waiting].exclusive;
  for (std::size_t i = 0; i < members.size(); ++i)
    if (i != waiting && members[i].exclusive == group && members[i].alive) return false;
  return true;
}

bool idle_stop_due(std::optional<Duration> idle_stop_after, ProcessState state,
                   bool action_under_way, AgentTime last_used, AgentTime now) {
  return idle_stop_after && state == ProcessState::Running && !action_under_way &&
         now - last_used >= *idle_stop_after;
}

}  // namespace fleetgate
