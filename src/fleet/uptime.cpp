#include "fleet/uptime.h"

#include <algorithm>

namespace fleetgate {

std::optional<double> measured_uptime(const std::vector<StateChange>& changes, Health initial,
                                      FleetTime from, FleetTime to) {
  if (to <= from) return std::nullopt;
  Health state = initial;
  FleetTime cursor = from;
  FleetClock::duration up{0}, counted{0};
  auto account = [&](FleetTime until) {
    const FleetTime a = std::max(cursor, from);
    const FleetTime b = std::min(until, to);
    if (b > a && state != Health::New) {
      counted += b - a;
      if (state == Health::Up) up += b - a;
    }
  };
  for (const auto& c : changes) {
    if (c.at >= to) break;
    if (c.at > cursor) {
      account(c.at);
      cursor = c.at;
    }
    state = c.to;
  }
  account(to);
  if (counted.count() == 0) return std::nullopt;
  return static_cast<double>(up.count()) / static_cast<double>(counted.count());
}

double uptime(const std::vector<StateChange>& changes, Health initial, FleetTime from,
              FleetTime to) {
  return measured_uptime(changes, initial, from, to).value_or(1.0);
}

int days_at_target(const std::vector<StateChange>& changes, Health initial, FleetTime day_end,
                   double target, int max_days) {
  int days = 0;
  for (; days < max_days; ++days) {
    const FleetTime end = day_end - std::chrono::hours(24) * days;
    // A day with nothing to account (before the subject existed) ends the run too.
    if (measured_uptime(changes, initial, end - std::chrono::hours(24), end).value_or(-1) < target)
      break;
  }
  return days;
}

}  // namespace fleetgate
