// A dead man's switch as healthchecks.io defines it, for one check: pings keep it UP; no success
// within period + grace makes it DOWN; /start begins a run that must succeed within its max run
// time; /fail and a non-zero exit status make it DOWN at once. Pure: the caller passes `now`.
#pragma once

#include "core/coarse_clock.h"
#include "core/units.h"

#include <optional>
#include <string>

namespace fleetgate {

using FleetClock = CoarseClock;
using FleetTime = FleetClock::time_point;

enum class Health { New, Up, Down };  // New: never pinged, so nothing is overdue yet

struct CheckSpec {
  std::string name;
  Duration period = std::chrono::minutes(1);
  Duration grace = std::chrono::minutes(1);
  std::optional<Duration> max_runtime;  // after /start, instead of the period; default: grace
};

struct Transition {
  Health from = Health::New;
  Health to = Health::New;
  FleetTime at{};
  std::string reason;  // "ping", "fail", "exit status 2", "no ping within 2m", "run took over 1m"
};

class CheckState {
 public:
  explicit CheckState(CheckSpec spec) : spec_(std::move(spec)) {}

  // healthchecks.io's endpoints: /ping/<check> (ok), /start, /fail, /<exit-status>.
  std::optional<Transition> ping(FleetTime now);
  std::optional<Transition> start(FleetTime now);
  std::optional<Transition> fail(FleetTime now, std::string reason = "fail");
  std::optional<Transition> exit_status(int code, FleetTime now);

  // When this check goes DOWN if nothing arrives; nullopt while New or already Down.
  std::optional<FleetTime> deadline() const;
  // Call at or after deadline(): the DOWN transition, if it is due.
  std::optional<Transition> expire(FleetTime now);

  Health health() const { return health_; }
  bool running() const { return started_.has_value(); }
  std::optional<FleetTime> last_ping() const { return last_ping_; }
  const CheckSpec& spec() const { return spec_; }

 private:
  std::optional<Transition> move(Health to, FleetTime now, std::string reason);

  CheckSpec spec_;
  Health health_ = Health::New;
  std::optional<FleetTime> last_ping_;  // the last success
  std::optional<FleetTime> started_;    // a run in progress
};

}  // namespace fleetgate
