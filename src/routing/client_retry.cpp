#include "routing/client_retry.h"

#include <algorithm>
#include <cmath>

namespace fleetgate {

Duration client_retry_delay(int done, std::optional<Duration> retry_after, double r) {
  if (retry_after && retry_after->count() >= 0 && *retry_after <= std::chrono::seconds(60))
    return *retry_after;
  const double seconds = std::min(0.5 * std::pow(2.0, std::clamp(done, 0, 16)), 8.0);
  const double jitter = 1.0 - 0.25 * std::clamp(r, 0.0, 1.0);
  return Duration(static_cast<Duration::rep>(std::llround(seconds * jitter * 1000.0)));
}

}  // namespace fleetgate
