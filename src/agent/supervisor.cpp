#include "agent/supervisor.h"

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

namespace {

constexpr Duration kSnapshotEvery = std::chrono::seconds(10);

std::string read_file(const std::string& path, bool& ok) {
  std::ifstream in(path, std::ios::binary);
  ok = static_cast<bool>(in);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// The permission bits of `path`, or `fallback` when it cannot be read.
mode_t mode_of(const std::string& path, mode_t fallback) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 ? (st.st_mode & 07777) : fallback;
}

// Writes `content` to `path` through a temporary file and a rename: never half a file. The file
// gets `mode` (a config's own, which may be 0600 for its secrets: never wider).
bool write_atomically(const std::string& path, const std::string& content, mode_t mode) {
  const std::string tmp = path + ".tmp";
  ::unlink(tmp.c_str());  // O_EXCL below: never write through a link someone left there
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode & 0777);
  if (fd < 0) return false;
  ::fchmod(fd, mode);  // the umask may have narrowed the mode on creation
  std::size_t done = 0;
  while (done < content.size()) {
    const ssize_t n = ::write(fd, content.data() + done, content.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    done += static_cast<std::size_t>(n);
  }
  const bool ok = done == content.size() && ::fsync(fd) == 0;
  ::close(fd);
  if (!ok) {
    ::unlink(tmp.c_str());
    return false;
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  return !ec;
}

// SIGTERM to the group, then SIGCONT (as systemd does): a stopped process would otherwise
// hold the SIGTERM until its stop_timeout ends in SIGKILL.
void terminate(pid_t group) {
  ::kill(-group, SIGTERM);
  ::kill(-group, SIGCONT);
}

std::string seconds(AgentTime from, AgentTime to) {
  return format_duration(std::chrono::duration_cast<Duration>(to - from));
}

}  // namespace

// An action under way: finished (and recorded) once its outcome is known.
struct Supervisor::Pending {
  ActionRecord record;
  ControlAction action = ControlAction::Start;
  AgentTime began;
  bool start_after_stop = false;  // a restart, stopping first
  bool restore = false;           // put the config snapshot back before starting
};

struct Supervisor::Proc {
  ProcessSpec spec;
  ProcessLifecycle life;
  pid_t pid = -1;
  int out = -1;  // read end of the child's stdout+stderr
  int log = -1;
  std::uint64_t log_size = 0;
  std::optional<int> exit_status;
  std::optional<AgentTime> kill_at;  // SIGKILL the group then, if it is still there
  std::uint32_t run = 0;             // spawns so far: stale probe results are dropped
  bool probing = false;
  AgentTime next_probe{};
  int liveness_failed = 0;
  std::optional<AgentTime> running_since;
  AgentTime last_used{};
  bool unhealthy_remote = false;
  bool waiting_for_group = false;  // to start once the other members have stopped
  std::string ended_why;           // set when the agent ends a run itself
  AgentTime next_snapshot{};
  std::optional<Pending> pending;
  ProcessState told_state = ProcessState::Stopped;  // at the end of the last poll
  explicit Proc(ProcessSpec s) : spec(std::move(s)), life(spec.restart) {}
};

Supervisor::Supervisor(std::vector<ProcessSpec> specs, std::function<void()> changed)
    : changed_(std::move(changed)) {
  for (auto& s : specs) procs_.push_back(std::make_unique<Proc>(std::move(s)));
  wake_fd_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  // With SIGCHLD blocked (the agent blocks it before starting threads), exits wake poll()
  // through a signalfd; otherwise it looks every 100 ms.
  sigset_t blocked;
  pthread_sigmask(SIG_BLOCK, nullptr, &blocked);
  if (sigismember(&blocked, SIGCHLD) == 1) {
    sigset_t chld;
    sigemptyset(&chld);
    sigaddset(&chld, SIGCHLD);
    child_fd_ = ::signalfd(-1, &chld, SFD_CLOEXEC | SFD_NONBLOCK);
  }
  prober_ = std::make_unique<ProbeThread>([this] { wake(); });
}

Supervisor::~Supervisor() {
  stop_all();
  prober_.reset();
  for (auto& p : procs_) {
    if (p->out >= 0) ::close(p->out);
    if (p->log >= 0) ::close(p->log);
  }
  if (wake_fd_ >= 0) ::close(wake_fd_);
  if (child_fd_ >= 0) ::close(child_fd_);
}

void Supervisor::wake() {
  const std::uint64_t one = 1;
  [[maybe_unused]] auto n = ::write(wake_fd_, &one, sizeof one);
}

Supervisor::Proc* Supervisor::find(std::string_view name) {
  for (auto& p : procs_)
    if (p->spec.name == name) return p.get();
  return nullptr;
}

bool Supervisor::has(std::string_view name) const {
  return std::any_of(procs_.begin(), procs_.end(),
                     [&](const auto& p) { return p->spec.name == name; });
}

void Supervisor::start_all() {
  std::lock_guard lock(mutex_);
  const auto now = AgentClock::now();
  for (auto& p : procs_)
    if (!p->spec.on_demand) request_start(*p, now);
}

void Supervisor::submit(ControlCommand c) {
  {
    std::lock_guard lock(mutex_);
    inbox_.push_back(std::move(c));
  }
  wake();
}

void Supervisor::mark_used(const std::vector<std::string>& names) {
  if (names.empty()) return;
  std::lock_guard lock(mutex_);
  used_.insert(used_.end(), names.begin(), names.end());
}

void Supervisor::mark_unhealthy(const std::vector<std::string>& names) {
  std::lock_guard lock(mutex_);
  unhealthy_ = names;
}

std::vector<ActionRecord> Supervisor::take_actions() {
  std::lock_guard lock(mutex_);
  return std::exchange(actions_, {});
}

void Supervisor::begin(Proc& p, ControlAction action, std::string reason, bool recovery,
                       AgentTime now) {
  if (p.pending) finish(p, "superseded by " + std::string(to_string(action)));
  Pending a;
  a.record.at_ms = to_ms(std::chrono::system_clock::now());
  a.record.process = p.spec.name;
  a.action = action;
  a.record.action = to_string(action);
  a.record.reason = std::move(reason);
  a.record.recovery = recovery;
  a.began = now;
  spdlog::info("process {}: {} ({})", p.spec.name, a.record.action, a.record.reason);
  p.pending = std::move(a);
}

void Supervisor::finish(Proc& p, std::string outcome) {
  if (!p.pending) return;
  p.pending->record.outcome = std::move(outcome);
  spdlog::info("process {}: {} done: {}", p.spec.name, p.pending->record.action,
               p.pending->record.outcome);
  actions_.push_back(std::move(p.pending->record));
  p.pending.reset();
  told_ = true;
}

void Supervisor::apply(Proc& p, const ControlCommand& c, AgentTime now) {
  switch (c.action) {
    case ControlAction::Start:
      p.last_used = now;
      if (p.life.state() == ProcessState::Running || p.life.state() == ProcessState::Starting)
        return;
      begin(p, ControlAction::Start, c.reason, c.recovery, now);
      request_start(p, now);
      return;
    case ControlAction::Stop:
      if (p.pid <= 0 && p.life.state() != ProcessState::Backoff) return;
      begin(p, ControlAction::Stop, c.reason, c.recovery, now);
      request_stop(p, now);
      return;
    case ControlAction::Restart:
      begin(p, ControlAction::Restart, c.reason, c.recovery, now);
      p.pending->restore = c.recovery && p.spec.restore_config;
      if (p.pid > 0 && c.recovery) {
        // An unhealthy process: its end counts as a failure, restarted through the backoff
        // (a liveness probe that always fails must not restart it thousands of times).
        p.waiting_for_group = false;
        if (p.life.stop_for_recovery(now)) {
          terminate(p.pid);
          p.kill_at = now + p.spec.stop_timeout;
        }
      } else if (p.pid > 0) {
        p.pending->start_after_stop = true;
        request_stop(p, now);
      } else {
        request_start(p, now);
      }
      return;
  }
}

void Supervisor::request_start(Proc& p, AgentTime now) {
  p.last_used = now;
  if (!p.spec.exclusive.empty()) {
    for (auto& other : procs_) {
      if (other.get() == &p || other->spec.exclusive != p.spec.exclusive) continue;
      other->waiting_for_group = false;
      if (other->pid <= 0 && other->life.state() != ProcessState::Backoff) continue;
      begin(*other, ControlAction::Stop,
            "exclusive group " + p.spec.exclusive + ": " + p.spec.name + " starts", false, now);
      request_stop(*other, now);
    }
    p.waiting_for_group = true;  // tend() starts it once the others are gone
    return;
  }
  if (p.life.start(now)) spawn(p, now);
}

void Supervisor::request_stop(Proc& p, AgentTime now) {
  p.waiting_for_group = false;
  if (p.life.stop(now) && p.pid > 0) {
    terminate(p.pid);
    p.kill_at = now + p.spec.stop_timeout;
  }
}

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
    const bool clear = std::none_of(procs_.begin(), procs_.end(), [&](const auto& o) {
      return o.get() != &p && o->spec.exclusive == p.spec.exclusive && o->pid > 0;
    });
    if (clear) {
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
  if (p.spec.on_demand && p.spec.idle_stop_after && s == ProcessState::Running && !p.pending &&
      now - p.last_used >= *p.spec.idle_stop_after) {
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

void Supervisor::poll(Duration max_wait) {
  std::vector<pollfd> fds{{wake_fd_, POLLIN, 0}, {child_fd_, POLLIN, 0}};
  std::vector<Proc*> owners{nullptr, nullptr};
  auto now = AgentClock::now();
  auto wait = max_wait;
  {
    std::lock_guard lock(mutex_);
    auto until = [&](AgentTime at) {
      wait =
          std::min(wait, std::chrono::ceil<Duration>(std::max(at - now, AgentClock::duration{})));
    };
    for (auto& p : procs_) {
      if (p->out >= 0) {
        fds.push_back({p->out, POLLIN, 0});
        owners.push_back(p.get());
      }
      if (auto at = p->life.restart_at()) until(*at);
      if (p->kill_at) until(*p->kill_at);
      if (p->pid > 0 && !p->probing && (p->spec.ready_url || p->spec.liveness_url))
        until(p->next_probe);
    }
  }
  // Without the signalfd, exits are noticed by waitpid alone: poll in short slices.
  if (child_fd_ < 0) wait = std::min<Duration>(wait, std::chrono::milliseconds(100));
  ::poll(fds.data(), fds.size(), static_cast<int>(wait.count()));
  if (fds[0].revents) {
    std::uint64_t n;
    [[maybe_unused]] auto r = ::read(wake_fd_, &n, sizeof n);
  }
  const bool exits = child_fd_ < 0 || fds[1].revents;
  if (fds[1].revents) {
    signalfd_siginfo info[8];
    while (::read(child_fd_, info, sizeof info) > 0) {
    }
  }
  std::lock_guard lock(mutex_);
  for (std::size_t i = 2; i < fds.size(); ++i)
    if (fds[i].revents) drain(*owners[i]);
  now = AgentClock::now();
  if (exits) reap(now);  // waitpid only when SIGCHLD said something ended
  for (const auto& c : std::exchange(inbox_, {})) {
    Proc* p = find(c.process);
    if (!p) {
      actions_.push_back({to_ms(std::chrono::system_clock::now()), c.process,
                          std::string(to_string(c.action)), c.reason, "no such process", false});
      told_ = true;
      continue;
    }
    apply(*p, c, now);
  }
  for (const auto& name : std::exchange(used_, {}))
    if (Proc* p = find(name)) p->last_used = now;
  if (unhealthy_) {
    for (auto& p : procs_)
      p->unhealthy_remote =
          std::find(unhealthy_->begin(), unhealthy_->end(), p->spec.name) != unhealthy_->end();
    unhealthy_.reset();
  }
  probe(now);
  for (auto& p : procs_) {
    if (p->kill_at && now >= *p->kill_at && p->pid > 0) {
      ::kill(-p->pid, SIGKILL);
      p->kill_at.reset();
    }
    if (p->life.due(now)) spawn(*p, now);
    tend(*p, now);
  }
  // Told at once: a process now serving, stopped or given up, and finished actions (the
  // gateway may be waiting). A crash respawned within its backoff waits for the next period
  // (with its restart count), so nobody is paged for it.
  for (auto& p : procs_) {
    const ProcessState s = p->life.state();
    if (s == p->told_state) continue;
    p->told_state = s;
    told_ |= s == ProcessState::Running || s == ProcessState::Stopped || s == ProcessState::Fatal ||
             s == ProcessState::Exited;
  }
  if (told_ && changed_) changed_();
  told_ = false;
}

void Supervisor::stop_all() {
  auto deadline = AgentClock::now();
  bool any = false;
  {
    std::lock_guard lock(mutex_);
    const auto now = AgentClock::now();
    for (auto& p : procs_) {
      p->waiting_for_group = false;
      if (p->pending) finish(*p, "the agent stopped");
      const bool signal = p->life.stop(now);
      if (signal && p->pid > 0) {
        terminate(p->pid);
        p->kill_at = now + p->spec.stop_timeout;
        deadline = std::max(deadline, *p->kill_at);
        any = true;
      }
    }
  }
  while (any) {
    {
      std::lock_guard lock(mutex_);
      any = std::any_of(procs_.begin(), procs_.end(), [](const auto& p) { return p->pid > 0; });
    }
    if (!any) break;
    poll(std::chrono::milliseconds(50));
    if (AgentClock::now() > deadline + std::chrono::seconds(1)) break;  // SIGKILL was sent
  }
}

std::vector<ProcessSample> Supervisor::samples() const {
  std::lock_guard lock(mutex_);
  std::vector<ProcessSample> out;
  for (const auto& p : procs_) {
    ProcessSample s;
    s.name = p->spec.name;
    s.state = std::string(to_string(p->life.state()));
    if (p->pid > 0) s.pid = p->pid;
    s.restarts = p->life.restarts();
    s.exit_status = p->exit_status;
    s.on_demand = p->spec.on_demand;
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace fleetgate
