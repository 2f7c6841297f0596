// Uptime from a subject's state transitions: the share of a window it was UP, per day, and how
// many days in a row (ending with the last whole day) met a target. Pure: transitions and the
// window come in, numbers go out.
#pragma once

#include "fleet/check_state.h"

#include <optional>
#include <vector>

namespace fleetgate {

struct StateChange {
  FleetTime at;
  Health to;
};

// The share of [from, to) spent UP, in [0, 1]. `changes` in time order; the state before the
// first change is `initial`. Time in New counts as neither up nor down: it is left out of the
// share (nothing was expected yet). Returns 1 when no time at all was accountable.
double uptime(const std::vector<StateChange>& changes, Health initial, FleetTime from,
              FleetTime to);

// The same, but nullopt when no time in the window was accountable.
std::optional<double> measured_uptime(const std::vector<StateChange>& changes, Health initial,
                                      FleetTime from, FleetTime to);

// Days in a row, counting back from the day that ends at `day_end`, whose uptime was at least
// `target` (e.g. 0.995); at most `max_days`. A day with no accountable time ends the run.
int days_at_target(const std::vector<StateChange>& changes, Health initial, FleetTime day_end,
                   double target, int max_days);

}  // namespace fleetgate
