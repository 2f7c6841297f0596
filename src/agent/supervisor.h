// Runs the declared processes: each in its own process group, its stdout and stderr piped
// into a size-rotated log file, restarted by its ProcessLifecycle, stopped with SIGTERM to the
// group and SIGKILL after a timeout. On top of that: readiness and liveness URLs (probed on a
// thread of their own), on-demand processes stopped when idle, exclusive groups, commands from
// the control plane, and a known-good copy of a config file put back before a recovery restart.
// poll() is the loop body (the agent's main thread); the other public calls are thread-safe.
#pragma once

#include "agent/node_sample.h"
#include "agent/process_lifecycle.h"
#include "agent/supervision_policy.h"
#include "config/url.h"
#include "core/clock.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace fleetgate {

class ProbeThread;

struct ProcessSpec {
  std::string name;
  std::vector<std::string> argv;
  std::vector<std::pair<std::string, std::string>> env;  // added to the agent's environment
  std::string cwd;                                       // empty: the agent's
  RestartSpec restart;
  Duration stop_timeout = std::chrono::seconds(10);
  std::string log_path;
  std::uint64_t log_max_bytes = 10u << 20;  // then .log -> .log.1 (one old file kept)
  bool on_demand = false;                   // not started by start_all()
  std::optional<Duration> idle_stop_after;  // on-demand: stopped when not used this long
  std::string exclusive;                    // starting one member stops the others first
  std::optional<Url> ready_url;             // starting -> running when it answers 2xx
  Duration ready_timeout = std::chrono::minutes(5);
  Duration ready_interval = std::chrono::milliseconds(200);
  std::optional<Url> liveness_url;  // probed while running; liveness_failures bad: restart
  Duration liveness_period = std::chrono::seconds(10);
  Duration liveness_timeout = std::chrono::seconds(2);
  int liveness_failures = 3;
  std::string config_file;      // copied to snapshot_path while healthy
  std::string snapshot_path;    // the known-good copy
  bool restore_config = false;  // put the copy back before a recovery restart
};

struct ControlCommand {
  std::string process;
  ControlAction action = ControlAction::Start;
  std::string reason;     // who asked, and why
  bool recovery = false;  // a recovery action (a check's): restores the config when configured
};

class Supervisor {
 public:
  // `changed` is called on the poll() thread after a poll in which a process came to serve,
  // stopped or gave up, or an action finished: worth a heartbeat now.
  // Time is read from `clock` (its steady and wall time).
  explicit Supervisor(std::vector<ProcessSpec> specs, std::function<void()> changed = {},
                      const Clock& clock = system_clock());
  ~Supervisor();  // stops everything still running
  Supervisor(const Supervisor&) = delete;
  Supervisor& operator=(const Supervisor&) = delete;

  void start_all();  // all but the on-demand ones
  // Copies output to the logs, reaps exits, probes, applies commands, restarts and stops what
  // is due. Waits at most `max_wait` for something to happen before returning (exits wake it
  // at once when the caller blocked SIGCHLD in every thread; otherwise it looks every 100 ms).
  void poll(Duration max_wait);
  // SIGTERM to every running group, then SIGKILL to those still there after their timeout.
  void stop_all();

  // Thread-safe; applied by the next poll(), which they wake.
  void submit(ControlCommand c);
  void mark_used(const std::vector<std::string>& names);  // on-demand ones in use: not idle
  // The control plane's checks for these are not passing: no snapshot of their config.
  void mark_unhealthy(const std::vector<std::string>& names);
  std::vector<ProcessSample> samples() const;
  std::vector<ActionRecord> take_actions();  // finished since the last call
  bool has(std::string_view name) const;
  void wake();  // makes a poll() in progress return now

 private:
  struct Proc;
  struct Pending;
  void apply(Proc& p, const ControlCommand& c, AgentTime now);
  void begin(Proc& p, ControlAction action, std::string reason, bool recovery, AgentTime now);
  void finish(Proc& p, std::string outcome);
  void request_start(Proc& p, AgentTime now);
  void request_stop(Proc& p, AgentTime now);
  void spawn(Proc& p, AgentTime now);
  void reap(AgentTime now);
  void probe(AgentTime now);
  void probed(Proc& p, bool ready_probe, bool ok, const std::string& detail, AgentTime now);
  void tend(Proc& p, AgentTime now);  // idle stop, group waits, snapshots, pending outcomes
  // What the supervision policy (agent/supervision_policy.h) is told of each process.
  std::vector<MemberView> member_views() const;
  std::size_t index_of(const Proc& p) const;
  void drain(Proc& p);
  void write_log(Proc& p, const char* data, std::size_t n);
  Proc* find(std::string_view name);

  std::vector<std::unique_ptr<Proc>> procs_;
  std::function<void()> changed_;
  const Clock& clock_;
  bool told_ = false;  // something to tell the control plane at once
  int wake_fd_ = -1;   // eventfd: commands and probe results wake poll()
  int child_fd_ = -1;  // signalfd for SIGCHLD, when the caller blocked it
  std::unique_ptr<ProbeThread> prober_;
  mutable std::mutex mutex_;  // guards lifecycles (read by samples()) and the inbox below
  std::vector<ControlCommand> inbox_;
  std::vector<std::string> used_;
  std::optional<std::vector<std::string>> unhealthy_;
  std::vector<ActionRecord> actions_;
};

}  // namespace fleetgate
