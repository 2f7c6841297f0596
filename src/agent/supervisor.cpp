#include "agent/supervisor.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <spdlog/spdlog.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <thread>

extern char** environ;

namespace fleetgate {

struct Supervisor::Proc {
  ProcessSpec spec;
  ProcessLifecycle life;
  pid_t pid = -1;
  int out = -1;  // read end of the child's stdout+stderr
  int log = -1;
  std::uint64_t log_size = 0;
  std::optional<int> exit_status;
  std::optional<AgentTime> kill_at;  // SIGKILL the group then, if it is still there
  explicit Proc(ProcessSpec s) : spec(std::move(s)), life(spec.restart) {}
};

Supervisor::Supervisor(std::vector<ProcessSpec> specs) {
  for (auto& s : specs) procs_.push_back(std::make_unique<Proc>(std::move(s)));
}

Supervisor::~Supervisor() {
  stop_all();
  for (auto& p : procs_) {
    if (p->out >= 0) ::close(p->out);
    if (p->log >= 0) ::close(p->log);
  }
}

void Supervisor::start_all() {
  const auto now = AgentClock::now();
  for (auto& p : procs_) {
    std::lock_guard lock(mutex_);
    if (p->life.start(now)) spawn(*p, now);
  }
}

void Supervisor::spawn(Proc& p, AgentTime now) {
  if (p.log < 0) {
    std::error_code ec;
    std::filesystem::create_directories(std::filesystem::path(p.spec.log_path).parent_path(), ec);
    p.log = ::open(p.spec.log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    struct stat st {};
    if (p.log >= 0 && ::fstat(p.log, &st) == 0) p.log_size = static_cast<std::uint64_t>(st.st_size);
  }
  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0) {
    p.life.spawn_failed(now, std::string("pipe: ") + std::strerror(errno));
    return;
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], STDERR_FILENO);
  if (!p.spec.cwd.empty()) posix_spawn_file_actions_addchdir_np(&actions, p.spec.cwd.c_str());
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  posix_spawnattr_setpgroup(&attr, 0);  // a group of its own: stop reaches its children too
  sigset_t defaults;
  sigemptyset(&defaults);
  sigaddset(&defaults, SIGPIPE);
  sigaddset(&defaults, SIGTERM);
  sigaddset(&defaults, SIGINT);
  posix_spawnattr_setsigdefault(&attr, &defaults);
  sigset_t none;
  sigemptyset(&none);
  posix_spawnattr_setsigmask(&attr, &none);  // the agent blocks SIGTERM; its children must not
  posix_spawnattr_setflags(&attr,
                           POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
  std::vector<std::string> env_strings;
  for (char** e = environ; *e; ++e) env_strings.emplace_back(*e);
  for (const auto& [k, v] : p.spec.env) env_strings.push_back(k + "=" + v);
  std::vector<char*> envp;
  for (auto& e : env_strings) envp.push_back(e.data());
  envp.push_back(nullptr);
  std::vector<char*> argv;
  for (auto& a : p.spec.argv) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = -1;
  const int rc = ::posix_spawnp(&pid, argv[0], &actions, &attr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  ::close(pipe_fds[1]);
  if (rc != 0) {
    ::close(pipe_fds[0]);
    p.life.spawn_failed(now, "cannot run " + p.spec.argv.front() + ": " + std::strerror(rc));
    spdlog::warn("process {}: {}", p.spec.name, p.life.last_reason());
    return;
  }
  if (p.out >= 0) ::close(p.out);
  p.out = pipe_fds[0];
  ::fcntl(p.out, F_SETFL, O_NONBLOCK);
  p.pid = pid;
  p.exit_status.reset();
  p.life.spawned(now, true);
  spdlog::info("process {} started (pid {}{})", p.spec.name, pid,
               p.life.restarts() ? ", restart " + std::to_string(p.life.restarts()) : "");
}

void Supervisor::write_log(Proc& p, const char* data, std::size_t n) {
  if (p.log < 0) return;
  if (p.log_size + n > p.spec.log_max_bytes && p.log_size > 0) {
    ::close(p.log);
    std::error_code ec;
    std::filesystem::rename(p.spec.log_path, p.spec.log_path + ".1", ec);
    p.log = ::open(p.spec.log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
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
    std::lock_guard lock(mutex_);
    p->pid = -1;
    p->exit_status = how.code;
    p->kill_at.reset();
    ::kill(-pid, SIGKILL);  // whatever it left behind in its group goes with it
    p->life.exited(now, how);
    std::string next(to_string(p->life.state()));
    if (auto at = p->life.restart_at())
      next +=
          " (restart in " + format_duration(std::chrono::duration_cast<Duration>(*at - now)) + ")";
    spdlog::warn("process {} ended: {}; now {}", p->spec.name, how.str(), next);
  }
}

void Supervisor::poll(Duration max_wait) {
  std::vector<pollfd> fds;
  std::vector<Proc*> owners;
  for (auto& p : procs_)
    if (p->out >= 0) {
      fds.push_back({p->out, POLLIN, 0});
      owners.push_back(p.get());
    }
  auto now = AgentClock::now();
  auto wait = max_wait;
  for (auto& p : procs_)
    if (auto at = p->life.restart_at())
      wait =
          std::min(wait, std::chrono::ceil<Duration>(std::max(*at - now, AgentClock::duration{})));
  // Exits are noticed by waitpid, not by a signal: poll in short slices while anything runs.
  wait = std::min<Duration>(wait, std::chrono::milliseconds(100));
  if (fds.empty())
    std::this_thread::sleep_for(wait);
  else
    ::poll(fds.data(), fds.size(), static_cast<int>(wait.count()));
  for (std::size_t i = 0; i < fds.size(); ++i)
    if (fds[i].revents) drain(*owners[i]);
  now = AgentClock::now();
  reap(now);
  for (auto& p : procs_) {
    if (p->kill_at && now >= *p->kill_at && p->pid > 0) {
      ::kill(-p->pid, SIGKILL);
      p->kill_at.reset();
    }
    std::lock_guard lock(mutex_);
    if (p->life.due(now)) spawn(*p, now);
  }
}

void Supervisor::stop_all() {
  const auto now = AgentClock::now();
  auto deadline = now;
  bool any = false;
  for (auto& p : procs_) {
    std::lock_guard lock(mutex_);
    const bool signal = p->life.stop(now);
    if (signal && p->pid > 0) {
      ::kill(-p->pid, SIGTERM);
      p->kill_at = now + p->spec.stop_timeout;
      deadline = std::max(deadline, *p->kill_at);
      any = true;
    }
  }
  while (any) {
    any = false;
    for (auto& p : procs_) any |= p->pid > 0;
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
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace fleetgate
