// A monotonic clock read from the kernel's tick-stamped copy (CLOCK_MONOTONIC_COARSE): a few
// nanoseconds per read and precise to a few milliseconds, which is plenty for deadlines swept
// every 100 ms and for pool idle times. Latency figures use steady_clock.
#pragma once

#include <chrono>
#include <ctime>

namespace fleetgate {

struct CoarseClock {
  using duration = std::chrono::nanoseconds;
  using rep = duration::rep;
  using period = duration::period;
  using time_point = std::chrono::time_point<CoarseClock>;
  static constexpr bool is_steady = true;

  static time_point now() noexcept {
    timespec ts{};
    ::clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
    return time_point(duration(static_cast<rep>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec));
  }
};

}  // namespace fleetgate
