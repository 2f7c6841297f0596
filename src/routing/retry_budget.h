// Envoy-style retry budget: retries may add at most `ratio` of the requests of the last second,
// plus `min_per_second`, so a sick fleet does not get a retry storm. Pure; one per worker thread.
#pragma once

#include "core/coarse_clock.h"

#include <cstdint>

namespace fleetgate {

class RetryBudget {
 public:
  explicit RetryBudget(double ratio = 0.2, std::uint32_t min_per_second = 10)
      : ratio_(ratio), min_per_second_(min_per_second) {}

  void on_request(CoarseClock::time_point now) {
    roll(now);
    ++requests_;
  }
  // Takes one retry from the budget; false when it is spent.
  bool try_retry(CoarseClock::time_point now) {
    roll(now);
    if (retries_ >= min_per_second_ + static_cast<std::uint32_t>(ratio_ * requests_)) return false;
    ++retries_;
    return true;
  }

 private:
  void roll(CoarseClock::time_point now) {
    if (now - window_start_ >= std::chrono::seconds(1)) {
      window_start_ = now;
      requests_ = 0;
      retries_ = 0;
    }
  }

  double ratio_;
  std::uint32_t min_per_second_;
  CoarseClock::time_point window_start_{};
  std::uint32_t requests_ = 0;
  std::uint32_t retries_ = 0;
};

}  // namespace fleetgate
