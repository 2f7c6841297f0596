// The control plane's side of its agents: commands waiting for each node's agent (which fetches
// them with a long poll, GET /fleet/v1/agents/<node>/commands), the states of its processes as
// its heartbeats last told, and which on-demand processes the gateway used since the agent last
// asked. Thread-safe; every call takes `now`, so it is tested without sleeping.
#pragma once

#include "control/vocabulary.h"
#include "core/error.h"
#include "core/units.h"

#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace fleetgate {

using ControlClock = std::chrono::steady_clock;
using ControlTime = ControlClock::time_point;

struct AgentCommand {
  std::string process;
  ControlAction action = ControlAction::Start;
  std::string reason;
  bool recovery = false;  // a recovery action: the agent may restore the config first
};

// What the long poll answers.
struct ControlReply {
  std::vector<AgentCommand> commands;
  std::vector<std::string> in_use;     // on-demand processes the gateway used: not idle
  std::vector<std::string> unhealthy;  // processes whose checks are down: keep no snapshot
  std::vector<std::string> unknown;    // commands of actions this agent does not know: skipped
};
std::string control_reply_json(const ControlReply& r);
Result<ControlReply> parse_control_reply(std::string_view body);

class AgentChannel {
 public:
  // Commands not fetched within `ttl` are dropped (a restart hours late does more harm).
  explicit AgentChannel(Duration ttl = std::chrono::minutes(2)) : ttl_(ttl) {}

  void send(const std::string& node, AgentCommand c, ControlTime now);
  bool has_commands(const std::string& node, ControlTime now);
  // The agent's poll answer: the commands, the processes used since the last answer, and the
  // processes marked unhealthy.
  ControlReply take(const std::string& node, ControlTime now);
  // A poll opened (+1) or ended (-1). An agent counts as connected while a poll is open or
  // for `linger` after one ended.
  void polling(const std::string& node, int delta, ControlTime now);
  bool connected(const std::string& node, ControlTime now,
                 Duration linger = std::chrono::seconds(5)) const;

  // From each heartbeat.
  void process_states(const std::string& node,
                      const std::vector<std::pair<std::string, std::string>>& states,
                      ControlTime now);
  struct ProcessView {
    std::optional<ProcessState> state;  // none: a word this version does not know
    ControlTime updated{};
  };
  std::optional<ProcessView> process(const std::string& node, const std::string& name) const;
  std::optional<ControlTime> last_heartbeat(const std::string& node) const;
  void touch(const std::string& node, const std::string& process);  // the gateway used it
  void set_unhealthy(const std::string& node, const std::string& process, bool unhealthy);

 private:
  struct Queued {
    AgentCommand command;
    ControlTime at;
  };
  struct Node {
    std::vector<Queued> queue;
    int open_polls = 0;
    std::optional<ControlTime> last_poll;
    std::map<std::string, ProcessView, std::less<>> processes;
    std::optional<ControlTime> heartbeat;  // the last one
    std::vector<std::string> used;
    std::vector<std::string> unhealthy;
  };
  void expire(Node& n, ControlTime now);

  Duration ttl_;
  mutable std::mutex mutex_;
  std::map<std::string, Node, std::less<>> nodes_;
};

}  // namespace fleetgate
