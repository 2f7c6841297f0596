// A dead man's switch as healthchecks.io defines it, for one check: pings keep it UP; no success
// within period + grace makes it DOWN; /start begins a run that must succeed within its max run
// time; /fail and a non-zero exit status make it DOWN at once. Pure: the caller passes `now`.
#pragma once

#include "core/cron.h"
#include "core/units.h"

#include <chrono>
#include <memory>
#include <optional>
#include <string>

namespace fleetgate {

// Wall-clock time: deadlines, uptime and the store all outlive the process.
using FleetClock = std::chrono::system_clock;
using FleetTime = FleetClock::time_point;

enum class Health { New, Up, Down };  // New: never pinged, so nothing is overdue yet

struct CheckSpec {
  std::string name;
  Duration period = std::chrono::minutes(1);
  Duration grace = std::chrono::minutes(1);
  std::optional<Duration> max_runtime;  // after /start, instead of the period; default: grace
  // When set, a ping is due at each of the schedule's times (read in `tz`), not every `period`.
  std::shared_ptr<const CronSchedule> cron;
  std::shared_ptr<const TimeZone> tz;
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
  std::optional<FleetTime> started() const { return started_; }
  const CheckSpec& spec() const { return spec_; }
  void set_spec(CheckSpec spec) { spec_ = std::move(spec); }
  // Puts back what the store kept across a restart.
  void restore(Health h, std::optional<FleetTime> last_ping, std::optional<FleetTime> started) {
    health_ = h;
    last_ping_ = last_ping;
    started_ = started;
  }

 private:
  std::optional<Transition> move(Health to, FleetTime now, std::string reason);

  CheckSpec spec_;
  Health health_ = Health::New;
  std::optional<FleetTime> last_ping_;  // the last success
  std::optional<FleetTime> started_;    // a run in progress
};

}  // namespace fleetgate
