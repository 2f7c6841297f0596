// A retry budget in the manner of Finagle's: over the last 10 seconds, retries may add at most
// `ratio` of the requests, plus `min_per_second` each second, so a sick fleet does not get a
// retry storm. Ten seconds, not one: when a backend hangs, every connection can be stuck on it
// at once and no new requests arrive to earn the retries it then needs. Pure; one per thread.
#pragma once

#include "core/coarse_clock.h"

#include <array>
#include <cstdint>

namespace fleetgate {

class RetryBudget {
 public:
  explicit RetryBudget(double ratio = 0.2, std::uint32_t min_per_second = 10)
      : ratio_(ratio), min_per_second_(min_per_second) {}

  // Any monotonic clock's time points: only whole seconds count.
  template <class TimePoint>
  void on_request(TimePoint now) {
    ++slot(now.time_since_epoch()).requests;
  }
  // Takes one retry from the budget; false when it is spent.
  template <class TimePoint>
  bool try_retry(TimePoint now) {
    Slot& current = slot(now.time_since_epoch());
    std::uint64_t requests = 0, retries = 0;
    for (const Slot& s : slots_) {
      if (s.second <= current.second - static_cast<std::int64_t>(kSlots)) continue;  // stale
      requests += s.requests;
      retries += s.retries;
    }
    const auto allowed = static_cast<std::uint64_t>(min_per_second_) * kSlots +
                         static_cast<std::uint64_t>(ratio_ * static_cast<double>(requests));
    if (retries >= allowed) return false;
    ++current.retries;
    return true;
  }

 private:
  static constexpr std::size_t kSlots = 10;  // one per second
  struct Slot {
    std::int64_t second = -1;
    std::uint64_t requests = 0;
    std::uint64_t retries = 0;
  };
  template <class Since>
  Slot& slot(Since since_epoch) {
    const auto second = std::chrono::duration_cast<std::chrono::seconds>(since_epoch).count();
    Slot& s = slots_[static_cast<std::size_t>(second) % kSlots];
    if (s.second != second) s = Slot{second, 0, 0};  // a slot from ten seconds ago: reuse it
    return s;
  }

  double ratio_;
  std::uint32_t min_per_second_;
  std::array<Slot, kSlots> slots_{};
};

}  // namespace fleetgate
