#include "agent/process_lifecycle.h"

#include <algorithm>
#include <csignal>
#include <cstring>

namespace fleetgate {

std::optional<RestartPolicy> parse_restart_policy(std::string_view s) {
  if (s == "always") return RestartPolicy::Always;
  if (s == "on-failure" || s == "on_failure") return RestartPolicy::OnFailure;
  if (s == "never") return RestartPolicy::Never;
  return std::nullopt;
}

std::string ExitInfo::str() const {
  if (signal) {
    const char* name = sigabbrev_np(*signal);
    return std::string("killed by SIG") + (name ? name : std::to_string(*signal).c_str());
  }
  return "exit status " + std::to_string(code.value_or(-1));
}

bool ProcessLifecycle::start(AgentTime now) {
  switch (state_) {
    case ProcessState::Stopped:
    case ProcessState::Exited:
    case ProcessState::Fatal:
      // An explicit start clears a give-up (as `supervisorctl start` does).
      failures_.clear();
      backoff_ = Duration{0};
      restart_at_.reset();
      if (ever_started_) ++restarts_;
      ever_started_ = true;
      state_ = ProcessState::Starting;
      started_at_ = now;
      return true;
    case ProcessState::Backoff:
      restart_at_ = now;  // start it at the next due() instead of waiting out the backoff
      return false;
    default: return false;  // already starting, running or stopping
  }
}

void ProcessLifecycle::spawned(AgentTime now, bool is_ready) {
  started_at_ = now;
  state_ = is_ready ? ProcessState::Running : ProcessState::Starting;
}

void ProcessLifecycle::ready(AgentTime) {
  if (state_ == ProcessState::Starting) state_ = ProcessState::Running;
}

void ProcessLifecycle::spawn_failed(AgentTime now, std::string why) {
  reason_ = std::move(why);
  started_at_ = now;
  if (spec_.policy == RestartPolicy::Never) {
    state_ = ProcessState::Exited;
    return;
  }
  failed(now);
}

bool ProcessLifecycle::stop_for_recovery(AgentTime now) {
  if (state_ != ProcessState::Starting && state_ != ProcessState::Running) return false;
  const bool signal = stop(now);
  recovering_ = signal;
  return signal;
}

bool ProcessLifecycle::stop(AgentTime) {
  recovering_ = false;
  restart_at_.reset();
  switch (state_) {
    case ProcessState::Starting:
    case ProcessState::Running: state_ = ProcessState::Stopping; return true;
    case ProcessState::Backoff: state_ = ProcessState::Stopped; return false;
    default: return false;
  }
}

void ProcessLifecycle::failed(AgentTime now) {
  // Failed starts older than the window no longer count.
  while (!failures_.empty() && failures_.front() < now - spec_.failure_window)
    failures_.pop_front();
  failures_.push_back(now);
  if (static_cast<int>(failures_.size()) >= spec_.max_failures) {
    state_ = ProcessState::Fatal;
    restart_at_.reset();
    reason_ += "; gave up after " + std::to_string(failures_.size()) + " failed starts in " +
               format_duration(spec_.failure_window);
    return;
  }
  backoff_ =
      backoff_.count() == 0 ? spec_.backoff_initial : std::min(spec_.backoff_max, backoff_ * 2);
  state_ = ProcessState::Backoff;
  restart_at_ = now + backoff_;
}

void ProcessLifecycle::exited(AgentTime now, ExitInfo how) {
  reason_ = how.str();
  const bool recovered = state_ == ProcessState::Stopping && recovering_;
  recovering_ = false;
  if (state_ == ProcessState::Stopping && !recovered) {
    state_ = ProcessState::Stopped;
    return;
  }
  if (recovered) reason_ = "stopped as unhealthy (" + reason_ + ")";
  const bool stable = started_at_ && now - *started_at_ >= spec_.stable_after;
  if (stable) {
    failures_.clear();
    backoff_ = Duration{0};
  }
  const bool restart = recovered || spec_.policy == RestartPolicy::Always ||
                       (spec_.policy == RestartPolicy::OnFailure && !how.clean());
  if (!restart) {
    state_ = ProcessState::Exited;
    return;
  }
  if (stable) {
    // It ran well for a while: restart at once, as a fresh start.
    state_ = ProcessState::Backoff;
    backoff_ = Duration{0};
    restart_at_ = now;
    return;
  }
  failed(now);
}

bool ProcessLifecycle::due(AgentTime now) {
  if (state_ != ProcessState::Backoff || !restart_at_ || now < *restart_at_) return false;
  restart_at_.reset();
  ++restarts_;
  state_ = ProcessState::Starting;
  started_at_ = now;
  return true;
}

}  // namespace fleetgate
