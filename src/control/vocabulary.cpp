#include "control/vocabulary.h"

#include <array>
#include <utility>

namespace fleetgate {

namespace {

constexpr std::array<std::pair<ProcessState, std::string_view>, 7> kStates{{
    {ProcessState::Stopped, "stopped"},
    {ProcessState::Starting, "starting"},
    {ProcessState::Running, "running"},
    {ProcessState::Backoff, "backoff"},
    {ProcessState::Stopping, "stopping"},
    {ProcessState::Exited, "exited"},
    {ProcessState::Fatal, "fatal"},
}};
constexpr std::array<std::pair<ControlAction, std::string_view>, 3> kActions{{
    {ControlAction::Start, "start"},
    {ControlAction::Stop, "stop"},
    {ControlAction::Restart, "restart"},
}};

}  // namespace

std::string_view to_string(ProcessState s) {
  for (const auto& [state, name] : kStates)
    if (state == s) return name;
  return "?";
}

std::optional<ProcessState> parse_process_state(std::string_view s) {
  for (const auto& [state, name] : kStates)
    if (name == s) return state;
  return std::nullopt;
}

std::string_view to_string(ControlAction a) {
  for (const auto& [action, name] : kActions)
    if (action == a) return name;
  return "?";
}

std::optional<ControlAction> parse_control_action(std::string_view s) {
  for (const auto& [action, name] : kActions)
    if (name == s) return action;
  return std::nullopt;
}

}  // namespace fleetgate
