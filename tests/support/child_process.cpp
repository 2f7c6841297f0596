#include "support/child_process.h"

#include <gtest/gtest.h>

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>
#include <csignal>

#include <algorithm>
#include <memory>
#include <stdexcept>

extern char** environ;

namespace fleetgate::test {

ChildProcess::ChildProcess(std::vector<std::string> argv) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[1], 1);
  posix_spawn_file_actions_adddup2(&actions, fds[1], 2);
  // Nothing of the test runner's (ctest's log, other tests' pipes): what the child has open
  // beyond stdio is its own.
  posix_spawn_file_actions_addclosefrom_np(&actions, 3);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
  posix_spawnattr_setpgroup(&attr, 0);
  std::vector<char*> args;
  for (auto& a : argv) args.push_back(a.data());
  args.push_back(nullptr);
  if (posix_spawn(&pid_, args[0], &actions, &attr, args.data(), environ) != 0)
    throw std::runtime_error("cannot start " + argv[0]);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  close(fds[1]);
  out_fd_ = fds[0];
  reader_ = std::thread([this] {
    char buf[4096];
    while (true) {
      const ssize_t n = read(out_fd_, buf, sizeof buf);
      if (n <= 0) break;
      std::lock_guard lock(mutex_);
      output_.append(buf, static_cast<std::size_t>(n));
    }
  });
}

ChildProcess::~ChildProcess() {
  if (!status_) {
    // SIGTERM first so a sanitizer build runs its leak check on the way out.
    kill(pid_, SIGTERM);
    if (!wait_exit(std::chrono::seconds(2))) {
      kill(-pid_, SIGKILL);
      wait_exit(std::chrono::seconds(5));
    }
  }
  if (reader_.joinable()) reader_.join();
  close(out_fd_);
  // A sanitizer finding in fleetgate serve or sim fails the test that ran it, even when every
  // response the test saw looked right.
  for (const char* marker : {"ERROR: AddressSanitizer", "ERROR: LeakSanitizer",
                             "runtime error:", "WARNING: ThreadSanitizer"}) {
    if (output_.find(marker) != std::string::npos) {
      ADD_FAILURE() << "child process reported a sanitizer finding:\n" << output_;
      break;
    }
  }
}

std::string ChildProcess::output() {
  std::lock_guard lock(mutex_);
  return output_;
}

std::optional<std::string> ChildProcess::wait_for(const std::string& pattern,
                                                  std::chrono::milliseconds timeout) {
  const std::regex re(pattern);
  const auto until = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < until) {
    {
      std::lock_guard lock(mutex_);
      std::smatch m;
      if (std::regex_search(output_, m, re)) return m.size() > 1 ? m[1].str() : m[0].str();
    }
    if (status_) return std::nullopt;
    int st = 0;
    if (waitpid(pid_, &st, WNOHANG) == pid_)
      status_ = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return std::nullopt;
}

std::optional<int> ChildProcess::wait_exit(std::chrono::milliseconds timeout) {
  const auto until = std::chrono::steady_clock::now() + timeout;
  while (!status_ && std::chrono::steady_clock::now() < until) {
    int st = 0;
    if (waitpid(pid_, &st, WNOHANG) == pid_) {
      status_ = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  // Once the child has exited, read its output to the end so output() holds all of it.
  if (status_ && reader_.joinable()) reader_.join();
  return status_;
}

std::optional<int> ChildProcess::stop(int signo, std::chrono::milliseconds timeout) {
  if (!status_) kill(pid_, signo);
  return wait_exit(timeout);
}

Sim start_sim(std::vector<std::string> extra_args) {
  std::vector<std::string> argv = {FLEETGATE_BINARY, "sim"};
  if (std::find(extra_args.begin(), extra_args.end(), "--listen") == extra_args.end()) {
    argv.push_back("--listen");
    argv.push_back("127.0.0.1:0");
  }
  argv.insert(argv.end(), extra_args.begin(), extra_args.end());
  Sim sim;
  sim.process = std::make_unique<ChildProcess>(argv);
  auto port = sim.process->wait_for(R"(sim listening on http://127\.0\.0\.1:(\d+))");
  if (!port) throw std::runtime_error("sim did not start: " + sim.process->output());
  sim.port = static_cast<std::uint16_t>(std::stoi(*port));
  return sim;
}

int run(std::vector<std::string> args, std::string* output, std::chrono::milliseconds limit) {
  args.insert(args.begin(), FLEETGATE_BINARY);
  ChildProcess p(args);
  const auto code = p.wait_exit(limit);
  if (output) *output = p.output();
  if (!code)
    throw std::runtime_error("fleetgate " + args[1] + " did not exit within " +
                             std::to_string(limit.count()) + " ms: " + p.output());
  return *code;
}

}  // namespace fleetgate::test
