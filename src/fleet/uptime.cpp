#include "fleet/uptime.h"

#include <algorithm>

namespace fleetgate {

double uptime(const std::vector<StateChange>& changes, Health initial, FleetTime from,
              FleetTime to) {
  if (to <= from) return 1.0;
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
  if (counted.count() == 0) return 1.0;
  return static_cast<double>(up.count()) / static_cast<double>(counted.count());
}

int days_at_target(const std::vector<StateChange>& changes, Health initial, FleetTime day_end,
                   double target, int max_days) {
  int days = 0;
  for (; days < max_days; ++days) {
    const FleetTime end = day_end - std::chrono::hours(24) * days;
    if (uptime(changes, initial, end - std::chrono::hours(24), end) < target) break;
  }
  return days;
}

}  // namespace fleetgate
