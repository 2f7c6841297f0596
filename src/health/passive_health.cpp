#include "health/passive_health.h"

#include <algorithm>

namespace fleetgate {

PassiveHealth::State PassiveHealth::state(TimePoint now) const {
  if (!cooling_) return State::Healthy;
  return now < cooling_until_ ? State::CoolingDown : State::HalfOpen;
}

bool PassiveHealth::available(TimePoint now) const {
  switch (state(now)) {
    case State::Healthy: return true;
    case State::CoolingDown: return false;
    case State::HalfOpen: return !trial_running_ || now - trial_started_ >= policy_.cooldown;
  }
  return true;
}

bool PassiveHealth::admit(TimePoint now) {
  switch (state(now)) {
    case State::Healthy: return true;
    case State::CoolingDown: return false;
    case State::HalfOpen:
      if (trial_running_ && now - trial_started_ < policy_.cooldown) return false;
      trial_running_ = true;
      trial_started_ = now;
      return true;
  }
  return true;
}

void PassiveHealth::cool_down(TimePoint now, Duration length) {
  if (!cooling_) changed_at_ = now;
  cooling_ = true;
  cooling_until_ = now + length;
  trial_running_ = false;
  failures_ = 0;
}

void PassiveHealth::record(Outcome outcome, TimePoint now, std::optional<Duration> retry_after) {
  const State before = state(now);
  switch (outcome) {
    case Outcome::Success:
      if (before != State::Healthy) {
        // Only a trial (or a request admitted before the cooldown) can succeed here: recovered.
        cooling_ = false;
        changed_at_ = now;
        trial_running_ = false;
        strikes_ = 0;
        failures_ = 0;
      }
      return;
    case Outcome::RateLimited:
      // The backend said how long; that is not a fault, so no escalation.
      cool_down(now, retry_after.value_or(policy_.cooldown));
      return;
    case Outcome::Failure: break;
  }
  if (before == State::HalfOpen) {  // the trial failed: cool down again, longer
    ++strikes_;
    const auto factor = Duration::rep{1} << std::min(strikes_, 16);
    cool_down(now, std::min(policy_.max_cooldown, policy_.cooldown * factor));
    return;
  }
  if (before == State::CoolingDown) return;  // a request admitted earlier; already cooling
  if (failures_ == 0 || now - window_start_ >= policy_.window) {
    window_start_ = now;
    failures_ = 0;
  }
  if (++failures_ > policy_.allowed_fails) cool_down(now, policy_.cooldown);
}

}  // namespace fleetgate
