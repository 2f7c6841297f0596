#include "agent/spawn.h"

#include "core/subprocess.h"

#include <fcntl.h>
#include <linux/close_range.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace fleetgate {

namespace {

[[noreturn]] void child(const char* file, char* const* argv, char* const* envp, const char* cwd,
                        int out_fd, int report_fd, pid_t parent) {
  ::setpgid(0, 0);
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (::getppid() != parent) ::_exit(127);  // the agent died before the line above
  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;
  for (int sig = 1; sig < NSIG; ++sig) ::sigaction(sig, &dfl, nullptr);
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);  // the agent blocks SIGTERM; its children must not
  const int in = ::open("/dev/null", O_RDONLY);
  if (in >= 0 && in != STDIN_FILENO) {
    ::dup2(in, STDIN_FILENO);
    ::close(in);
  }
  ::dup2(out_fd, STDOUT_FILENO);
  ::dup2(out_fd, STDERR_FILENO);
  // Nothing of the agent's but these three survives the exec (its control connection, log
  // files); the report pipe stays usable until then.
  if (::syscall(SYS_close_range, 3u, ~0u, CLOSE_RANGE_CLOEXEC) != 0) {
    rlimit limit{};
    const rlim_t last = ::getrlimit(RLIMIT_NOFILE, &limit) == 0 ? limit.rlim_cur : 65536;
    for (rlim_t fd = 3; fd < std::min<rlim_t>(last, 1 << 20); ++fd)
      ::fcntl(static_cast<int>(fd), F_SETFD, FD_CLOEXEC);
  }
  int err = 0;
  if (*cwd && ::chdir(cwd) != 0) {
    err = errno;
  } else {
    ::execve(file, argv, envp);
    err = errno;
  }
  [[maybe_unused]] auto n = ::write(report_fd, &err, sizeof err);
  ::_exit(127);
}

}  // namespace

Result<pid_t> spawn_in_group(const SpawnRequest& r) {
  if (r.argv.empty() || r.argv.front().empty()) return Error(Errc::BadRequest, "empty command");
  // PATH lookup here, in the parent: execvp's search allocates, which a forked child must not.
  const std::string file = find_program(r.argv.front());
  if (file.empty())
    return Error(Errc::BadRequest, "cannot run " + r.argv.front() + ": not found on PATH");
  std::vector<std::string> env_strings = child_environment(r.env);
  std::vector<char*> envp;
  for (auto& e : env_strings) envp.push_back(e.data());
  envp.push_back(nullptr);
  std::vector<std::string> args = r.argv;
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);

  int report[2];
  if (::pipe2(report, O_CLOEXEC) != 0)
    return Error(Errc::Internal, std::string("pipe: ") + std::strerror(errno));
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid < 0) {
    const int e = errno;
    ::close(report[0]);
    ::close(report[1]);
    return Error(Errc::Internal, std::string("fork: ") + std::strerror(e));
  }
  if (pid == 0)
    child(file.c_str(), argv.data(), envp.data(), r.cwd.c_str(), r.out_fd, report[1], parent);
  ::setpgid(pid, pid);  // also here: no race with a signal to the group right after fork
  ::close(report[1]);
  int err = 0;
  ssize_t n;
  do n = ::read(report[0], &err, sizeof err);
  while (n < 0 && errno == EINTR);
  ::close(report[0]);
  if (n == sizeof err) {
    int status = 0;
    ::waitpid(pid, &status, 0);
    return Error(Errc::BadRequest, "cannot run " + r.argv.front() +
                                       (r.cwd.empty() ? "" : " in " + r.cwd) + ": " +
                                       std::strerror(err));
  }
  return pid;
}

}  // namespace fleetgate
