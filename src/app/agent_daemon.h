// `fleetgate agent` as an object: it supervises the declared processes on the calling thread,
// sends heartbeats (this machine's figures, the processes' states, the actions taken) from a
// thread of its own, and fetches the control plane's commands (start, stop, restart) with a
// long poll from a third, so a slow or absent control plane never holds up a restart.
#pragma once

#include "config/config.h"
#include "config/url.h"

#include <memory>

namespace fleetgate {

class AgentDaemon {
 public:
  // `settings` complete (node and token resolved); `server` is agent.server parsed.
  AgentDaemon(AgentSettings settings, Url server);
  ~AgentDaemon();
  AgentDaemon(const AgentDaemon&) = delete;
  AgentDaemon& operator=(const AgentDaemon&) = delete;

  // Supervises until SIGTERM or SIGINT, then stops the processes and the threads. Call it from
  // the main thread before any other thread exists: it blocks those signals and SIGCHLD in
  // every thread (the supervisor reads SIGCHLD from a signalfd).
  void run_until_signalled();

 private:
  struct Parts;
  std::unique_ptr<Parts> parts_;
};

}  // namespace fleetgate
