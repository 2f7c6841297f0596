#include "core/subprocess.h"

#include <cstdlib>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <thread>

extern char** environ;

namespace fleetgate {

namespace {

// A write to a pipe whose reader is gone fails with EPIPE here instead of raising SIGPIPE
// (which would end the process unless the whole process ignores it).
ssize_t write_no_sigpipe(int fd, std::string_view data) {
  sigset_t pipe_signal, old;
  sigemptyset(&pipe_signal);
  sigaddset(&pipe_signal, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &pipe_signal, &old);
  const ssize_t n = ::write(fd, data.data(), data.size());
  if (n < 0 && errno == EPIPE) {
    const timespec now{};
    sigtimedwait(&pipe_signal, nullptr, &now);  // take back the SIGPIPE that write raised
  }
  const int saved = errno;
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  errno = saved;
  return n;
}

}  // namespace

std::vector<std::string> child_environment(
    const std::vector<std::pair<std::string, std::string>>& extra) {
  static constexpr std::string_view kKept[] = {"PATH",
                                               "HOME",
                                               "USER",
                                               "LOGNAME",
                                               "SHELL",
                                               "LANG",
                                               "LANGUAGE",
                                               "TZ",
                                               "TMPDIR",
                                               "TERM",
                                               "XDG_RUNTIME_DIR",
                                               "LD_LIBRARY_PATH",
                                               "CUDA_VISIBLE_DEVICES",
                                               "NVIDIA_VISIBLE_DEVICES",
                                               "HIP_VISIBLE_DEVICES",
                                               "ROCR_VISIBLE_DEVICES",
                                               "ASAN_OPTIONS",
                                               "UBSAN_OPTIONS",
                                               "LSAN_OPTIONS",
                                               "TSAN_OPTIONS"};
  std::vector<std::string> out;
  for (char** e = environ; *e; ++e) {
    const std::string_view entry(*e);
    const std::string_view name = entry.substr(0, entry.find('='));
    bool keep = name.starts_with("LC_");
    for (std::string_view k : kKept) keep |= name == k;
    bool overridden = false;
    for (const auto& [k, v] : extra) overridden |= name == k;
    if (keep && !overridden) out.emplace_back(entry);
  }
  for (const auto& [k, v] : extra) out.push_back(k + "=" + v);
  return out;
}

SubprocessResult run_subprocess(const std::vector<std::string>& args, std::string_view input,
                                bool capture_output, Duration timeout) {
  SubprocessResult result;
  int in[2] = {-1, -1};
  int out[2] = {-1, -1};
  if (::pipe2(in, O_CLOEXEC) != 0 || (capture_output && ::pipe2(out, O_CLOEXEC) != 0)) {
    result.start_error = std::strerror(errno);
    for (int fd : {in[0], in[1], out[0], out[1]})
      if (fd >= 0) ::close(fd);
    return result;
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in[0], STDIN_FILENO);
  if (capture_output) {
    posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
    posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
  } else {
    // Our stdout may be an access log of JSON lines: what the command prints goes to stderr.
    posix_spawn_file_actions_adddup2(&actions, STDERR_FILENO, STDOUT_FILENO);
  }
  // Our sockets, the store and the log files are not the command's business.
  posix_spawn_file_actions_addclosefrom_np(&actions, 3);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t defaults;
  sigemptyset(&defaults);
  sigaddset(&defaults, SIGPIPE);  // in case the caller ignores it: the child should not
  posix_spawnattr_setsigdefault(&attr, &defaults);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF);
  std::vector<char*> argv;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  std::vector<std::string> env_strings = child_environment();
  std::vector<char*> envp;
  for (auto& e : env_strings) envp.push_back(e.data());
  envp.push_back(nullptr);
  pid_t pid = 0;
  const int rc = ::posix_spawnp(&pid, argv[0], &actions, &attr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  ::close(in[0]);
  if (capture_output) ::close(out[1]);
  if (rc != 0) {
    ::close(in[1]);
    if (capture_output) ::close(out[0]);
    result.start_error = std::strerror(rc);
    return result;
  }
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  auto left_ms = [&] {
    return static_cast<int>(std::max<std::int64_t>(
        0, std::chrono::duration_cast<std::chrono::milliseconds>(deadline -
                                                                 std::chrono::steady_clock::now())
               .count()));
  };
  // Feed stdin and drain stdout together, never blocking: a command may read neither.
  ::fcntl(in[1], F_SETFL, O_NONBLOCK);
  int to_child = in[1];
  int from_child = capture_output ? out[0] : -1;
  std::size_t written = 0;
  if (input.empty()) {
    ::close(to_child);
    to_child = -1;
  }
  while ((to_child >= 0 || from_child >= 0) && left_ms() > 0) {
    pollfd fds[2];
    nfds_t n = 0;
    if (to_child >= 0) fds[n++] = {to_child, POLLOUT, 0};
    if (from_child >= 0) fds[n++] = {from_child, POLLIN, 0};
    if (::poll(fds, n, std::min(left_ms(), 50)) <= 0) continue;
    for (nfds_t i = 0; i < n; ++i) {
      if (!fds[i].revents) continue;
      if (fds[i].fd == to_child) {
        const ssize_t w = write_no_sigpipe(to_child, input.substr(written));
        if (w > 0) written += static_cast<std::size_t>(w);
        if (w < 0 && errno == EAGAIN) continue;
        if (w <= 0 || written == input.size()) {  // done, or it closed its stdin (EPIPE)
          ::close(to_child);
          to_child = -1;
        }
      } else {
        char buf[4096];
        const ssize_t r = ::read(from_child, buf, sizeof buf);
        if (r > 0) {
          result.output.append(buf, static_cast<std::size_t>(r));
        } else {
          ::close(from_child);
          from_child = -1;
        }
      }
    }
  }
  for (int fd : {to_child, from_child})
    if (fd >= 0) ::close(fd);
  int status = 0;
  for (;;) {
    if (::waitpid(pid, &status, WNOHANG) == pid) break;
    if (left_ms() == 0) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      result.timed_out = true;
      return result;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  if (WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) result.signal = WTERMSIG(status);
  return result;
}

std::string find_program(const std::string& program) {
  if (program.find('/') != std::string::npos) return program;
  const char* path = std::getenv("PATH");
  const std::string dirs = path ? path : "/usr/local/bin:/usr/bin:/bin";
  std::size_t start = 0;
  while (start <= dirs.size()) {
    const std::size_t end = std::min(dirs.find(':', start), dirs.size());
    std::string dir = dirs.substr(start, end - start);
    if (dir.empty()) dir = ".";
    std::string candidate = dir + "/" + program;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
    start = end + 1;
  }
  return {};
}

}  // namespace fleetgate
