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

Supervisor::Supervisor(std::vector<ProcessSpec> specs, std::function<void()> changed,
                       const Clock& clock)
    : changed_(std::move(changed)), clock_(clock) {
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
  const auto now = clock_.steady();
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
  a.record.at_ms = to_ms(clock_.wall());
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

std::vector<MemberView> Supervisor::member_views() const {
  std::vector<MemberView> out;
  out.reserve(procs_.size());
  for (const auto& q : procs_) out.push_back({q->spec.exclusive, q->pid > 0, q->life.state()});
  return out;
}

std::size_t Supervisor::index_of(const Proc& p) const {
  for (std::size_t i = 0; i < procs_.size(); ++i)
    if (procs_[i].get() == &p) return i;
  return procs_.size();  // not reached: every Proc is one of procs_
}

void Supervisor::request_start(Proc& p, AgentTime now) {
  p.last_used = now;
  if (!p.spec.exclusive.empty()) {
    const auto members = member_views();
    for (auto& other : procs_)
      if (other.get() != &p && other->spec.exclusive == p.spec.exclusive)
        other->waiting_for_group = false;
    for (std::size_t i : must_stop_first(members, index_of(p))) {
      Proc& other = *procs_[i];
      begin(other, ControlAction::Stop,
            "exclusive group " + p.spec.exclusive + ": " + p.spec.name + " starts", false, now);
      request_stop(other, now);
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

void Supervisor::poll(Duration max_wait) {
  std::vector<pollfd> fds{{wake_fd_, POLLIN, 0}, {child_fd_, POLLIN, 0}};
  std::vector<Proc*> owners{nullptr, nullptr};
  auto now = clock_.steady();
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
  now = clock_.steady();
  if (exits) reap(now);  // waitpid only when SIGCHLD said something ended
  for (const auto& c : std::exchange(inbox_, {})) {
    Proc* p = find(c.process);
    if (!p) {
      actions_.push_back({to_ms(clock_.wall()), c.process, std::string(to_string(c.action)),
                          c.reason, "no such process", false});
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
  auto deadline = clock_.steady();
  bool any = false;
  {
    std::lock_guard lock(mutex_);
    const auto now = clock_.steady();
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
    if (clock_.steady() > deadline + std::chrono::seconds(1)) break;  // SIGKILL was sent
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
