#include "fleet/check_state.h"

namespace fleetgate {

std::optional<Transition> CheckState::move(Health to, FleetTime now, std::string reason) {
  if (to == health_) return std::nullopt;
  Transition t{health_, to, now, std::move(reason)};
  health_ = to;
  return t;
}

std::optional<Transition> CheckState::ping(FleetTime now) {
  last_ping_ = now;
  started_.reset();
  return move(Health::Up, now, "ping");
}

std::optional<Transition> CheckState::start(FleetTime now) {
  started_ = now;  // the state stays as it is until the run ends or overruns
  if (health_ == Health::New) return move(Health::Up, now, "start");
  return std::nullopt;
}

std::optional<Transition> CheckState::fail(FleetTime now, std::string reason) {
  started_.reset();
  last_ping_ = now;  // a failure is a sign of life: the next deadline counts from here
  return move(Health::Down, now, std::move(reason));
}

std::optional<Transition> CheckState::exit_status(int code, FleetTime now) {
  if (code == 0) return ping(now);
  return fail(now, "exit status " + std::to_string(code));
}

std::optional<FleetTime> CheckState::deadline() const {
  if (health_ != Health::Up) return std::nullopt;
  // A run in progress is judged by its own limit, not by the period (a long job may outlast it).
  if (started_) return *started_ + spec_.max_runtime.value_or(spec_.grace);
  if (!last_ping_) return std::nullopt;
  if (spec_.cron) {
    // healthchecks.io: the next time the schedule names after the last ping, plus grace.
    const auto next = spec_.cron->next_after(std::chrono::floor<std::chrono::seconds>(*last_ping_),
                                             spec_.tz ? *spec_.tz : TimeZone());
    if (!next) return std::nullopt;
    return FleetTime(*next) + spec_.grace;
  }
  return *last_ping_ + spec_.period + spec_.grace;
}

std::optional<Transition> CheckState::expire(FleetTime now) {
  const auto due = deadline();
  if (!due || now < *due) return std::nullopt;
  const bool overran = started_.has_value();
  const std::string reason =
      overran      ? "run took over " + format_duration(spec_.max_runtime.value_or(spec_.grace))
      : spec_.cron ? "no ping by the scheduled time + " + format_duration(spec_.grace)
                   : "no ping within " + format_duration(spec_.period + spec_.grace);
  started_.reset();
  return move(Health::Down, *due, reason);
}

}  // namespace fleetgate
