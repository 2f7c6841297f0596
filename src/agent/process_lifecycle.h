// One supervised process's life as supervisord models it: STOPPED, STARTING, RUNNING, BACKOFF
// (waiting to restart after a failure), STOPPING, EXITED (ended and not to be restarted) and
// FATAL (gave up after too many failed starts in a window). Decides when to (re)start with
// exponential backoff, resets the backoff after a stable run, and gives up. Pure: the caller
// passes `now`, spawns and kills, and reports what happened.
#pragma once

#include "control/vocabulary.h"

#include "core/units.h"

#include <chrono>
#include <deque>
#include <optional>
#include <string>
#include <string_view>

namespace fleetgate {

using AgentClock = std::chrono::steady_clock;
using AgentTime = AgentClock::time_point;

enum class RestartPolicy { Always, OnFailure, Never };
std::optional<RestartPolicy> parse_restart_policy(std::string_view s);

struct RestartSpec {
  RestartPolicy policy = RestartPolicy::Always;
  Duration backoff_initial = std::chrono::seconds(1);
  Duration backoff_max = std::chrono::seconds(60);
  Duration stable_after = std::chrono::seconds(30);   // a run this long resets backoff and count
  int max_failures = 5;                               // failed starts within failure_window:
  Duration failure_window = std::chrono::minutes(5);  //   FATAL
};

// How a process ended: an exit code, or the signal that killed it.
struct ExitInfo {
  std::optional<int> code;
  std::optional<int> signal;
  bool clean() const { return code && *code == 0; }
  std::string str() const;
};

class ProcessLifecycle {
 public:
  explicit ProcessLifecycle(RestartSpec spec) : spec_(spec) {}

  // Someone (config, control API, on-demand routing) wants it running. True: spawn it now.
  bool start(AgentTime now);
  // The spawn succeeded (pid known). `ready`: no readiness URL, so it counts as running now.
  void spawned(AgentTime now, bool ready);
  void ready(AgentTime now);  // its readiness URL answered
  // The spawn itself failed (no such program...): counts as a failed start.
  void spawn_failed(AgentTime now, std::string why);
  // Someone wants it stopped: true when a SIGTERM must go to its group now.
  bool stop(AgentTime now);
  // It is running but unhealthy (its liveness probe or its check failed): true when a SIGTERM
  // must go to its group now. Its end then counts as a failed run, as a crash does: restarted
  // through the same backoff, towards FATAL, whatever the restart policy.
  bool stop_for_recovery(AgentTime now);
  // It ended. Decides the next state: Backoff (restart at restart_at()), Exited, Fatal, Stopped.
  void exited(AgentTime now, ExitInfo how);
  // In Backoff once restart_at() has come: true means spawn it now (state -> Starting).
  bool due(AgentTime now);

  ProcessState state() const { return state_; }
  bool recovering() const { return recovering_; }  // stopping for stop_for_recovery()
  std::optional<AgentTime> restart_at() const { return restart_at_; }
  std::optional<AgentTime> started_at() const { return started_at_; }
  int restarts() const { return restarts_; }  // spawns after the first
  const std::string& last_reason() const { return reason_; }
  Duration current_backoff() const { return backoff_; }

 private:
  void failed(AgentTime now);

  RestartSpec spec_;
  ProcessState state_ = ProcessState::Stopped;
  std::optional<AgentTime> started_at_;
  std::optional<AgentTime> restart_at_;
  std::deque<AgentTime> failures_;  // failed starts within the window
  Duration backoff_{0};             // the next wait; 0 until the first failure
  int restarts_ = 0;
  bool ever_started_ = false;
  bool recovering_ = false;  // the stop in progress is stop_for_recovery()'s
  std::string reason_;
};

}  // namespace fleetgate
