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

template <class Table, class E>
std::string_view name_of(const Table& table, E value) {
  for (const auto& [v, name] : table)
    if (v == value) return name;
  return "?";
}

template <class E, class Table>
std::optional<E> value_of(const Table& table, std::string_view word) {
  for (const auto& [v, name] : table)
    if (name == word) return v;
  return std::nullopt;
}

}  // namespace

std::string_view to_string(ProcessState s) { return name_of(kStates, s); }
std::optional<ProcessState> parse_process_state(std::string_view s) {
  return value_of<ProcessState>(kStates, s);
}
std::string_view to_string(ControlAction a) { return name_of(kActions, a); }
std::optional<ControlAction> parse_control_action(std::string_view s) {
  return value_of<ControlAction>(kActions, s);
}

}  // namespace fleetgate
