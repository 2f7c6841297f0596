#include "fleet/threshold.h"

namespace fleetgate {

std::optional<Level> Threshold::update(double value) {
  Level next = level_;
  if (value >= spec_.critical) {
    next = Level::Critical;
  } else if (value >= spec_.warning) {
    // Down from critical only to warning; up from ok to warning.
    next = Level::Warning;
  } else if (value < spec_.clear) {
    next = Level::Ok;
  } else if (level_ == Level::Critical) {
    next = Level::Warning;  // between clear and warning: critical eases, warning holds
  }
  if (next == level_) return std::nullopt;
  level_ = next;
  return next;
}

void FlapDetector::forget_before(FleetTime t) {
  while (!recent_.empty() && recent_.front() < t) recent_.pop_front();
}

std::optional<bool> FlapDetector::record(FleetTime now) {
  recent_.push_back(now);
  forget_before(now - window_);
  const bool flapping = recent_.size() > max_;
  if (flapping == flapping_) return std::nullopt;
  flapping_ = flapping;
  return flapping;
}

std::optional<bool> FlapDetector::settle(FleetTime now) {
  forget_before(now - window_);
  if (!flapping_ || recent_.size() > max_ / 2) return std::nullopt;  // hysteresis on the count
  flapping_ = false;
  return false;
}

}  // namespace fleetgate
