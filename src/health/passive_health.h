// LiteLLM's allowed_fails / cooldown_time for one deployment, as a pure state machine fed with
// request outcomes and `now`: cool down after too many failures, escalate for repeat offenders,
// then let one trial request decide (half-open). No clocks, no threads.
#pragma once

#include "core/coarse_clock.h"
#include "core/units.h"

#include <optional>

namespace fleetgate {

struct CooldownPolicy {
  int allowed_fails = 3;                            // tolerated within `window`
  Duration cooldown = std::chrono::seconds(5);      // the first cooldown
  Duration max_cooldown = std::chrono::minutes(5);  // doubling stops here
  Duration window = std::chrono::seconds(60);       // failures older are forgotten
};

// What one request to the deployment showed. Connect errors, timeouts and 5xx are failures;
// a 429 is RateLimited; a 4xx the client caused says nothing about the deployment.
enum class Outcome { Success, Failure, RateLimited };

class PassiveHealth {
 public:
  using TimePoint = CoarseClock::time_point;
  enum class State { Healthy, CoolingDown, HalfOpen };

  explicit PassiveHealth(CooldownPolicy policy = {}) : policy_(policy) {}

  State state(TimePoint now) const;
  // Whether a request may go to the deployment now. In half-open only one trial runs at a time:
  // the first caller gets it (a trial that never reports back expires after one cooldown).
  bool admit(TimePoint now);
  // Whether admit() would say yes, without taking the trial.
  bool available(TimePoint now) const;
  void record(Outcome outcome, TimePoint now, std::optional<Duration> retry_after = {});

  TimePoint cooling_until() const { return cooling_until_; }
  // When the deployment last went from healthy to cooling, or back; zero if never.
  TimePoint changed_at() const { return changed_at_; }
  int strikes() const { return strikes_; }  // cooldowns in a row, for escalation

 private:
  void cool_down(TimePoint now, Duration length);

  CooldownPolicy policy_;
  int failures_ = 0;  // within the window that started at window_start_
  TimePoint window_start_{};
  TimePoint cooling_until_{};
  bool cooling_ = false;  // cooled down at least once since the last success
  bool trial_running_ = false;
  TimePoint trial_started_{};
  int strikes_ = 0;
  TimePoint changed_at_{};
};

}  // namespace fleetgate
