#include "agent/node_sampler.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

extern char** environ;

namespace fleetgate {

namespace {

std::string read_file(const char* path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

bool on_path(const std::string& program) {
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path ? path : "/usr/bin:/bin");
  for (std::string dir; std::getline(dirs, dir, ':');)
    if (!dir.empty() && ::access((dir + "/" + program).c_str(), X_OK) == 0) return true;
  return false;
}

// Runs argv and returns its stdout, or "" when it fails or outlives `timeout` (then killed).
std::string capture(std::vector<std::string> args, Duration timeout) {
  int out[2];
  if (::pipe2(out, O_CLOEXEC) != 0) return {};
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  const int rc = ::posix_spawnp(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(out[1]);
  if (rc != 0) {
    ::close(out[0]);
    return {};
  }
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::string text;
  char buf[4096];
  bool killed = false;
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      ::kill(pid, SIGKILL);
      killed = true;
      break;
    }
    pollfd p{out[0], POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
    const ssize_t n = ::read(out[0], buf, sizeof buf);
    if (n <= 0) break;
    text.append(buf, static_cast<std::size_t>(n));
  }
  ::close(out[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  if (killed || !WIFEXITED(status) || WEXITSTATUS(status) != 0) return {};
  return text;
}

}  // namespace

NodeSample sample_node(const std::vector<std::string>& mounts, Duration gpu_timeout) {
  NodeSample s;
  if (auto load = parse_loadavg(read_file("/proc/loadavg"))) s.load = *load;
  if (auto mem = parse_meminfo(read_file("/proc/meminfo"))) {
    s.memory_total_bytes = mem->first;
    s.memory_available_bytes = mem->second;
  }
  s.uptime_s = parse_uptime(read_file("/proc/uptime")).value_or(0);
  s.cores = std::max(1u, std::thread::hardware_concurrency());
  const auto paths = mounts.empty() ? parse_mounts(read_file("/proc/mounts")) : mounts;
  for (const auto& m : paths) {
    struct statvfs st {};
    if (::statvfs(m.c_str(), &st) != 0 || st.f_blocks == 0) continue;
    const std::uint64_t total = static_cast<std::uint64_t>(st.f_blocks) * st.f_frsize;
    const std::uint64_t free_for_users = static_cast<std::uint64_t>(st.f_bavail) * st.f_frsize;
    const std::uint64_t free_all = static_cast<std::uint64_t>(st.f_bfree) * st.f_frsize;
    // As df: used = total - free; the root-reserved blocks count as neither used nor usable.
    const std::uint64_t used = total - free_all;
    s.disks.push_back({m, used + free_for_users, used});
  }
  if (on_path("nvidia-smi"))
    s.gpus = parse_nvidia_smi(capture({"nvidia-smi",
                                       "--query-gpu=index,name,memory.total,memory.used,"
                                       "utilization.gpu,temperature.gpu",
                                       "--format=csv,noheader,nounits"},
                                      gpu_timeout));
  return s;
}

}  // namespace fleetgate
