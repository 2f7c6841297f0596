// One clock for everything that reads the time, injected where time is read: steady (deadlines,
// latency), coarse steady (cheap reads for sweeps, pools and health windows, precise to a few
// ms), and wall (timestamps, rpm/tpm minutes, cron). SystemClock reads the kernel's;
// ManualClock is moved by tests, so time-dependent logic is tested without sleeping.
#pragma once

#include "core/coarse_clock.h"

#include <atomic>
#include <chrono>

namespace fleetgate {

class Clock {
 public:
  using Steady = std::chrono::steady_clock;
  using Wall = std::chrono::system_clock;

  virtual ~Clock() = default;
  virtual Steady::time_point steady() const = 0;
  virtual CoarseClock::time_point coarse() const = 0;
  virtual Wall::time_point wall() const = 0;
};

class SystemClock final : public Clock {
 public:
  Steady::time_point steady() const override { return Steady::now(); }
  CoarseClock::time_point coarse() const override { return CoarseClock::now(); }
  Wall::time_point wall() const override { return Wall::now(); }
};

// The process's clock, for code that is not given one.
inline const Clock& system_clock() {
  static const SystemClock clock;
  return clock;
}

// Time that moves only when a test says so; steady and coarse move together. Thread-safe.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(Wall::time_point wall_start = Wall::time_point(std::chrono::hours(480000)))
      : wall_start_(wall_start) {}
  Steady::time_point steady() const override {
    return Steady::time_point(std::chrono::nanoseconds(elapsed_.load()));
  }
  CoarseClock::time_point coarse() const override {
    return CoarseClock::time_point(std::chrono::nanoseconds(elapsed_.load()));
  }
  Wall::time_point wall() const override {
    return wall_start_ +
           std::chrono::duration_cast<Wall::duration>(std::chrono::nanoseconds(elapsed_.load()));
  }
  void advance(std::chrono::nanoseconds d) { elapsed_ += d.count(); }

 private:
  Wall::time_point wall_start_;
  // Starts an hour in: time points before "now" (a minute ago) stay after the epoch.
  std::atomic<std::int64_t> elapsed_{std::chrono::nanoseconds(std::chrono::hours(1)).count()};
};

}  // namespace fleetgate
