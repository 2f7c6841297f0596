// The supervisor's children: spawning, their output and logs, reaping, probes, and tending
// each one (restart, backoff, idle stop) as its lifecycle says.
#include "agent/supervisor.h"

#include "agent/supervisor_internal.h"

#include "agent/probe_thread.h"
#include "agent/spawn.h"
#include "core/wall_time.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace fleetgate {

using namespace supervision;

void Supervisor::spawn(Proc& p, AgentTime now) {
  if (p.pending && p.pending->restore) {
    bool ok = false;
    const std::string good = read_file(p.spec.snapshot_path, ok);
    bool same = false;
    if (ok) {
      bool current_ok = false;
      same = read_file(p.spec.config_file, current_ok) == good && current_ok;
    }
    if (!ok)
      p.pending->record.outcome = "no config snapshot to restore; ";
    else if (same)
      p.pending->record.outcome = "config unchanged since the snapshot; ";
    else if (write_atomically(p.spec.config_file, good,
                              mode_of(p.spec.config_file, mode_of(p.spec.snapshot_path, 0600))))
      p.pending->record.outcome = "config restored from the last known-good copy; ";
    else
      p.pending->record.outcome = "could not restore " + p.spec.config_file + "; ";
    p.pending->restore = false;
  }
  if (p.log < 0) {
    std::error_code ec;
    std::filesystem::create_directories(std::filesystem::path(p.spec.log_path).parent_path(), ec);
    p.log = ::open(p.spec.log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
    struct stat st {};
    if (p.log >= 0 && ::fstat(p.log, &st) == 0) p.log_size = static_cast<std::uint64_t>(st.st_size);
  }
  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0) {
    p.life.spawn_failed(now, std::string("pipe: ") + std::strerror(errno));
    return;
  }
  auto pid = spawn_in_group({p.spec.argv, p.spec.env, p.spec.cwd, pipe_fds[1]});
  ::close(pipe_fds[1]);
  if (!pid) {
    ::close(pipe_fds[0]);
    p.life.spawn_failed(now, pid.error().message);
    spdlog::warn("process {}: {}", p.spec.name, p.life.last_reason());
    return;
  }
  if (p.out >= 0) ::close(p.out);
  p.out = pipe_fds[0];
  ::fcntl(p.out, F_SETFL, O_NONBLOCK);
  p.pid = *pid;
  ++p.run;
  p.probing = false;
  p.next_probe = now;
  p.liveness_failed = 0;
  p.ended_why.clear();
  p.exit_status.reset();
  const bool ready = !p.spec.ready_url;
  p.life.spawned(now, ready);
  p.running_since = ready ? std::optional(now) : std::nullopt;
  spdlog::info(
      "process {} started (pid {}{}{})", p.spec.name, p.pid,
      p.life.restarts() ? ", restart " + std::to_string(p.life.restarts()) : "",
      ready ? "" : "; waiting for " + p.spec.ready_url->authority() + p.spec.ready_url->base_path);
}

void Supervisor::write_log(Proc& p, const char* data, std::size_t n) {
  if (p.log < 0) return;
  if (p.log_size + n > p.spec.log_max_bytes && p.log_size > 0) {
    ::close(p.log);
    std::error_code ec;
    std::filesystem::rename(p.spec.log_path, p.spec.log_path + ".1", ec);
    p.log = ::open(p.spec.log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
    p.log_size = 0;
    if (p.log < 0) return;
  }
  if (::write(p.log, data, n) > 0) p.log_size += n;
}

void Supervisor::drain(Proc& p) {
  char buf[16384];
  while (p.out >= 0) {
    const ssize_t n = ::read(p.out, buf, sizeof buf);
    if (n > 0) {
      write_log(p, buf, static_cast<std::size_t>(n));
      continue;
    }
    if (n == 0) {  // every writer closed: the group is gone or closed its output
      ::close(p.out);
      p.out = -1;
    }
    break;
  }
}

void Supervisor::reap(AgentTime now) {
  // Only our own children by pid: other code in the process may wait for its own.
  for (auto& p : procs_) {
    if (p->pid <= 0) continue;
    int status = 0;
    const pid_t pid = ::waitpid(p->pid, &status, WNOHANG);
    if (pid != p->pid) continue;
    drain(*p);
    ExitInfo how;
    if (WIFEXITED(status)) how.code = WEXITSTATUS(status);
    if (WIFSIGNALED(status)) how.signal = WTERMSIG(status);
    p->pid = -1;
    p->exit_status = how.code;
    p->kill_at.reset();
    p->running_since.reset();
    ::kill(-pid, SIGKILL);  // whatever it left behind in its group goes with it
    // Stopped as asked; a stop for ill health is a failure, logged with what comes next.
    const bool asked = p->life.state() == ProcessState::Stopping && !p->life.recovering();
    p->life.exited(now, how);
    std::string next(to_string(p->life.state()));
    if (auto at = p->life.restart_at())
      next +=
          " (restart in " + format_duration(std::chrono::duration_cast<Duration>(*at - now)) + ")";
    const std::string why = p->ended_why.empty() ? "" : " after " + p->ended_why;
    if (asked)
      spdlog::info("process {} stopped: {}", p->spec.name, how.str());
    else
      spdlog::warn("process {} ended{}: {}; now {}", p->spec.name, why, how.str(), next);
    if (!p->pending) continue;
    if (p->pending->start_after_stop) {
      p->pending->start_after_stop = false;
      request_start(*p, now);
    } else if (p->pending->action == ControlAction::Stop) {
      finish(*p, "stopped after " + seconds(p->pending->began, now) + " (" + how.str() + ")");
    }
  }
}

void Supervisor::probe(AgentTime now) {
  for (auto [key, ok, detail] : prober_->take()) {
    const std::size_t index = key >> 33;
    if (index >= procs_.size()) continue;
    Proc& p = *procs_[index];
    p.probing = false;
    if (static_cast<std::uint32_t>(key >> 1) != p.run || p.pid <= 0) continue;  // an old run's
    probed(p, key & 1, ok, detail, now);
  }
  for (std::size_t i = 0; i < procs_.size(); ++i) {
    Proc& p = *procs_[i];
    if (p.pid <= 0 || p.probing || p.kill_at) continue;
    const ProcessState s = p.life.state();
    const bool readiness = s == ProcessState::Starting && p.spec.ready_url;
    const bool liveness = s == ProcessState::Running && p.spec.liveness_url;
    if (!readiness && !liveness) continue;
    // Due, or due within a tenth of its interval (at most 1 s): probes then go in batches,
    // one wake-up for many processes.
    const Duration interval = readiness ? p.spec.ready_interval : p.spec.liveness_period;
    if (now + std::min<Duration>(interval / 10, std::chrono::seconds(1)) < p.next_probe) continue;
    if (readiness && now - p.life.started_at().value_or(now) >= p.spec.ready_timeout) {
      p.ended_why = "not ready within " + format_duration(p.spec.ready_timeout);
      spdlog::warn("process {}: {}; stopping it (a failed start)", p.spec.name, p.ended_why);
      terminate(p.pid);
      p.kill_at = now + p.spec.stop_timeout;
      continue;
    }
    const std::uint64_t key = (static_cast<std::uint64_t>(i) << 33) |
                              (static_cast<std::uint64_t>(p.run) << 1) | (readiness ? 1u : 0u);
    p.probing = true;
    prober_->submit({key, readiness ? *p.spec.ready_url : *p.spec.liveness_url,
                     readiness ? std::min(p.spec.liveness_timeout, p.spec.ready_interval * 10)
                               : p.spec.liveness_timeout});
  }
}

void Supervisor::probed(Proc& p, bool ready_probe, bool ok, const std::string& detail,
                        AgentTime now) {
  if (ready_probe) {
    p.next_probe = now + p.spec.ready_interval;
    if (!ok || p.life.state() != ProcessState::Starting) return;
    p.life.ready(now);
    p.running_since = now;
    p.next_probe = now + p.spec.liveness_period;
    spdlog::info("process {} ready", p.spec.name);
    return;
  }
  p.next_probe = now + p.spec.liveness_period;
  if (ok) {
    p.liveness_failed = 0;
    return;
  }
  ++p.liveness_failed;
  spdlog::warn("process {}: liveness probe failed ({} of {}): {}", p.spec.name, p.liveness_failed,
               p.spec.liveness_failures, detail);
  if (p.liveness_failed < p.spec.liveness_failures) return;
  ControlCommand c{
      p.spec.name, ControlAction::Restart,
      "liveness probe failed " + std::to_string(p.liveness_failed) + " times in a row: " + detail,
      true};
  p.ended_why = "liveness failures";
  apply(p, c, now);
}

void Supervisor::tend(Proc& p, AgentTime now) {
  const ProcessState s = p.life.state();
  if (p.waiting_for_group) {
    if (group_is_clear(member_views(), index_of(p))) {
      p.waiting_for_group = false;
      if (p.life.start(now)) spawn(p, now);
    }
  }
  if (p.pending && p.pending->action != ControlAction::Stop && !p.waiting_for_group) {
    if (s == ProcessState::Running)
      finish(p, p.pending->record.outcome + "running after " + seconds(p.pending->began, now));
    else if (s == ProcessState::Fatal || s == ProcessState::Exited)
      finish(p, p.pending->record.outcome + "failed: " + p.life.last_reason());
  }
  if (p.spec.on_demand &&
      idle_stop_due(p.spec.idle_stop_after, s, p.pending.has_value(), p.last_used, now)) {
    begin(p, ControlAction::Stop, "idle for " + format_duration(*p.spec.idle_stop_after), false,
          now);
    request_stop(p, now);
  }
  if (!p.spec.config_file.empty() && s == ProcessState::Running && p.running_since &&
      now - *p.running_since >= std::min(p.spec.restart.stable_after, kSnapshotEvery) &&
      p.liveness_failed == 0 && !p.unhealthy_remote && now >= p.next_snapshot) {
    p.next_snapshot = now + kSnapshotEvery;
    bool ok = false;
    const std::string current = read_file(p.spec.config_file, ok);
    bool had = false;
    if (ok && read_file(p.spec.snapshot_path, had) != current) {
      std::error_code ec;
      std::filesystem::create_directories(std::filesystem::path(p.spec.snapshot_path).parent_path(),
                                          ec);
      if (write_atomically(p.spec.snapshot_path, current, mode_of(p.spec.config_file, 0600)))
        spdlog::info("process {}: known-good copy of {} kept", p.spec.name, p.spec.config_file);
    }
  }
}

}  // namespace fleetgate
