// The words the control plane and its agents share, as types: a supervised process's state
// (supervisord's names, lower case on the wire) and the actions the control plane asks for.
// The agent, the fleet watch and the gateway all use these; the strings exist only in JSON.
#pragma once

#include <optional>
#include <string_view>

namespace fleetgate {

enum class ProcessState { Stopped, Starting, Running, Backoff, Stopping, Exited, Fatal };
std::string_view to_string(ProcessState s);
std::optional<ProcessState> parse_process_state(std::string_view s);
// Backoff, exited, fatal: it is not running and not on its way there by itself.
inline bool failed(ProcessState s) {
  return s == ProcessState::Backoff || s == ProcessState::Exited || s == ProcessState::Fatal;
}

enum class ControlAction { Start, Stop, Restart };
std::string_view to_string(ControlAction a);
std::optional<ControlAction> parse_control_action(std::string_view s);

}  // namespace fleetgate
