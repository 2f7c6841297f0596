// Runs the declared processes: each in its own process group, its stdout and stderr piped
// into a size-rotated log file, restarted by its ProcessLifecycle, stopped with SIGTERM to the
// group and SIGKILL after a timeout. Single-threaded: poll() is the loop body (the agent's
// main thread); samples() may be called from another thread.
#pragma once

#include "agent/node_sample.h"
#include "agent/process_lifecycle.h"

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace fleetgate {

struct ProcessSpec {
  std::string name;
  std::vector<std::string> argv;
  std::vector<std::pair<std::string, std::string>> env;  // added to the agent's environment
  std::string cwd;                                       // empty: the agent's
  RestartSpec restart;
  Duration stop_timeout = std::chrono::seconds(10);
  std::string log_path;
  std::uint64_t log_max_bytes = 10u << 20;  // then .log -> .log.1 (one old file kept)
};

class Supervisor {
 public:
  explicit Supervisor(std::vector<ProcessSpec> specs);
  ~Supervisor();  // stops everything still running
  Supervisor(const Supervisor&) = delete;
  Supervisor& operator=(const Supervisor&) = delete;

  void start_all();
  // Copies output to the logs, reaps exits, restarts what is due. Waits at most `max_wait`
  // for output or exits before returning.
  void poll(Duration max_wait);
  // SIGTERM to every running group, then SIGKILL to those still there after their timeout.
  void stop_all();
  std::vector<ProcessSample> samples() const;

 private:
  struct Proc;
  void spawn(Proc& p, AgentTime now);
  void reap(AgentTime now);
  void drain(Proc& p);
  void write_log(Proc& p, const char* data, std::size_t n);

  std::vector<std::unique_ptr<Proc>> procs_;
  mutable std::mutex mutex_;  // guards what samples() reads
};

}  // namespace fleetgate
