// What the supervisor's own files share: a process's record, an action under way, and the
// file helpers for config snapshots. Internal to src/agent/.
#pragma once

#include "agent/supervisor.h"

#include "core/wall_time.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>

namespace fleetgate::supervision {

inline constexpr Duration kSnapshotEvery = std::chrono::seconds(10);

inline std::string read_file(const std::string& path, bool& ok) {
  std::ifstream in(path, std::ios::binary);
  ok = static_cast<bool>(in);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// The permission bits of `path`, or `fallback` when it cannot be read.
inline mode_t mode_of(const std::string& path, mode_t fallback) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 ? (st.st_mode & 07777) : fallback;
}

// Writes `content` to `path` through a temporary file and a rename: never half a file. The file
// gets `mode` (a config's own, which may be 0600 for its secrets: never wider).
inline bool write_atomically(const std::string& path, const std::string& content, mode_t mode) {
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
inline void terminate(pid_t group) {
  ::kill(-group, SIGTERM);
  ::kill(-group, SIGCONT);
}

inline std::string seconds(AgentTime from, AgentTime to) {
  return format_duration(std::chrono::duration_cast<Duration>(to - from));
}

}  // namespace fleetgate::supervision

namespace fleetgate {

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

}  // namespace fleetgate
