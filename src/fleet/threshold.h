// Warning and critical levels on a resource figure with hysteresis: e.g. disk used warns at
// >= 80 %, is critical at >= 90 %, and clears only below 78 %, so a value hovering at a line
// does not flap. Also a flap detector: too many transitions in a window marks a subject
// flapping (notified once, not at every change). Pure.
#pragma once

#include "config/fleet_settings.h"
#include "fleet/check_state.h"

#include <deque>
#include <optional>

namespace fleetgate {

enum class Level { Ok, Warning, Critical };

using ThresholdSpec = ThresholdLevels;  // clear: below this, back to Ok; <= warning

class Threshold {
 public:
  explicit Threshold(ThresholdSpec spec) : spec_(spec) {}
  // The new level when `value` changes it.
  std::optional<Level> update(double value);
  Level level() const { return level_; }

 private:
  ThresholdSpec spec_;
  Level level_ = Level::Ok;
};

class FlapDetector {
 public:
  FlapDetector(std::size_t max_transitions, Duration window)
      : max_(max_transitions), window_(window) {}
  // Records a transition; returns the new flapping state when it changed.
  std::optional<bool> record(FleetTime now);
  // Lets old transitions age out; returns false (stopped flapping) when it changed.
  std::optional<bool> settle(FleetTime now);
  bool flapping() const { return flapping_; }
  // When the oldest remembered transition leaves the window (settle() may then change).
  std::optional<FleetTime> next_settle() const {
    if (recent_.empty()) return std::nullopt;
    return recent_.front() + window_;
  }

 private:
  void forget_before(FleetTime t);

  std::size_t max_;
  Duration window_;
  std::deque<FleetTime> recent_;
  bool flapping_ = false;
};

}  // namespace fleetgate
