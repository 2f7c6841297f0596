// Active health of one backend from periodic probes: `fall` bad results in a row mark it down,
// `rise` good ones mark it up again, so one slow probe does not flap it. Pure.
#pragma once

#include "core/coarse_clock.h"

namespace fleetgate {

class ActiveHealth {
 public:
  using TimePoint = CoarseClock::time_point;
  ActiveHealth(int rise, int fall) : rise_(rise), fall_(fall) {}

  // Returns true when this result changed the state.
  bool record(bool ok, TimePoint now) {
    if (ok == up_) {
      streak_ = 0;
      return false;
    }
    if (++streak_ < (up_ ? fall_ : rise_)) return false;
    up_ = ok;
    streak_ = 0;
    since_ = now;
    return true;
  }
  bool up() const { return up_; }
  TimePoint since() const { return since_; }

 private:
  int rise_;
  int fall_;
  bool up_ = true;  // until probes say otherwise: a fresh gateway routes at once
  int streak_ = 0;  // results in a row that disagree with the state
  TimePoint since_{};
};

}  // namespace fleetgate
