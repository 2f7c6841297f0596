// The `fleet:` section: nodes, checks (dead man's switches), resource thresholds, alert
// receivers, retention of the store, and the phase report's targets.
#pragma once

#include "core/units.h"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace fleetgate {

// Warning and critical levels with hysteresis: Ok -> Warning at >= warning, -> Critical at
// >= critical, and back to Ok only below clear.
struct ThresholdLevels {
  double warning = 80;
  double critical = 90;
  double clear = 78;
  bool operator==(const ThresholdLevels&) const = default;
};

// The heartbeat figures a threshold can watch, by their config names.
enum class Metric {
  DiskUsedPercent,
  MemoryUsedPercent,
  CpuLoadPerCore,
  GpuTemperatureC,
  GpuMemoryUsedPercent
};
std::string_view to_string(Metric m);
std::optional<Metric> parse_metric(std::string_view name);

using ThresholdMap = std::map<Metric, ThresholdLevels>;

// fleet.nodes[]: machines whose agents send heartbeats. A node that heartbeats without being
// declared is accepted with the defaults.
struct NodeSpec {
  std::string name;
  // This node's own secret: with it an agent may send this node's heartbeats and fetch its
  // commands, and nothing else (the fleet token may do everything).
  std::optional<std::string> token;
  Duration period = std::chrono::seconds(30);
  Duration grace = std::chrono::seconds(30);
  ThresholdMap thresholds;  // over the fleet-wide ones
  int line = 0;
  bool operator==(const NodeSpec&) const = default;
};

// fleet.checks[]: a dead man's switch, pinged as /ping/<uuid> or /ping/<key>/<name>.
struct CheckSpecConfig {
  std::string name;  // the slug: [a-z0-9-_], unique
  Duration period = std::chrono::days(1);
  Duration grace = std::chrono::hours(1);
  std::optional<Duration> max_runtime;  // after /start; default: grace
  std::optional<std::string> cron;      // five fields; replaces period when set
  std::string tz = "UTC";               // of the cron expression
  std::optional<std::string> uuid;      // healthchecks.io-style ping URL /ping/<uuid>
  std::optional<std::string> key;       // ping key for /ping/<key>/<name>; default: fleet.ping_key
  // The recovery action when the check goes down: the agent of `action_node` restarts its
  // process `action_restart` (both empty: no action).
  std::string action_node;
  std::string action_restart;
  int line = 0;
  bool operator==(const CheckSpecConfig&) const = default;
};

// fleet.alerts.receivers[]: where notifications go.
struct ReceiverSpec {
  std::string name;
  std::optional<std::string> webhook;  // http(s) URL; Alertmanager's webhook payload, version 4
  std::vector<std::string> exec;       // argv; the alert as JSON on stdin
  Duration timeout = std::chrono::seconds(10);
  int line = 0;
  bool operator==(const ReceiverSpec&) const = default;
};

struct AlertSettings {
  Duration repeat_interval = std::chrono::hours(4);  // re-notify a long-firing alert
  int flap_transitions = 6;                          // this many changes within flap_window:
  Duration flap_window = std::chrono::minutes(10);   // the subject is flapping
  Duration retry_max = std::chrono::minutes(5);      // backoff cap for a receiver that is down
  std::string external_url;                          // Alertmanager's externalURL
  std::vector<ReceiverSpec> receivers;
  bool operator==(const AlertSettings&) const = default;
};

struct RetentionSettings {
  Duration pings = std::chrono::days(7);       // raw pings and their bodies
  Duration heartbeats = std::chrono::days(2);  // raw heartbeats; older ones kept hourly
  Duration history = std::chrono::days(400);   // transitions, hourly figures, usage, alerts
  Duration responses = std::chrono::days(30);  // stored Responses API answers (OpenAI's 30 days)
  Duration requests = std::chrono::days(7);    // the request log
  bool operator==(const RetentionSettings&) const = default;
};

// fleet.targets: what the phase report measures against.
struct PhaseTargets {
  std::string phase = "Current phase";
  std::string next_phase = "Next phase";
  double uptime = 0.95;     // 30-day average, as a share
  int days_at_uptime = 30;  // consecutive days at or above `uptime`
  double capacity = 0.60;   // fleet-wide capacity utilisation, as a share
  bool operator==(const PhaseTargets&) const = default;
};

// agent.processes[]: what the agent keeps running (model servers, agent loops, ...).
struct SupervisedProcess {
  std::string name;
  std::vector<std::string> command;  // argv; the first is looked up on PATH
  std::vector<std::pair<std::string, std::string>> env;
  std::string cwd;
  std::string restart = "always";  // always, on-failure, never
  Duration backoff_initial = std::chrono::seconds(1);
  Duration backoff_max = std::chrono::seconds(60);
  Duration stable_after = std::chrono::seconds(30);
  int max_failures = 5;
  Duration failure_window = std::chrono::minutes(5);
  Duration stop_timeout = std::chrono::seconds(10);
  std::string log;  // default: <log_dir>/<name>.log
  std::uint64_t log_max_size = 10u << 20;
  bool on_demand = false;                            // start: on_demand (not at boot; when asked)
  std::optional<Duration> idle_stop_after;           // on-demand only: stop when unused this long
  std::string exclusive;                             // group: starting one member stops the others
  std::string ready_url;                             // starting -> running once this answers 2xx
  Duration ready_timeout = std::chrono::minutes(5);  // not ready by then: a failed start
  std::string liveness_url;                          // probed while running
  Duration liveness_period = std::chrono::seconds(10);
  Duration liveness_timeout = std::chrono::seconds(2);
  int liveness_failures = 3;    // in a row: the agent restarts it
  std::string config_file;      // copied aside whenever the process is healthy ...
  bool restore_config = false;  // ... and put back before a recovery restart
  int line = 0;
};

// agent: what `fleetgate agent` on a machine needs to report to the control plane.
struct AgentSettings {
  std::string node;                              // default: the host name
  std::string server = "http://127.0.0.1:4000";  // the control plane (`fleetgate serve`)
  std::optional<std::string> token;              // the fleet token
  Duration period = std::chrono::seconds(10);    // between heartbeats
  std::vector<std::string> mounts;               // empty: every real file system
  std::string log_dir = "./fleetgate-logs";      // processes' output, by default
  std::vector<SupervisedProcess> processes;
  int line = 0;  // of the section (0: none)
};

struct FleetSettings {
  std::optional<std::string> token;     // heartbeats and /fleet/v1/*; Authorization: Bearer
  std::optional<std::string> ping_key;  // default key of /ping/<key>/<slug> URLs
  bool auto_create_checks = false;      // a ping to an unknown slug creates the check
  Duration default_period = std::chrono::days(1);  // of auto-created checks
  Duration default_grace = std::chrono::hours(1);
  Duration node_period = std::chrono::seconds(30);  // of nodes not declared
  Duration node_grace = std::chrono::seconds(30);
  ThresholdMap thresholds = {{Metric::DiskUsedPercent, {80, 90, 78}},
                             {Metric::MemoryUsedPercent, {90, 95, 88}}};  // fleet-wide
  std::vector<NodeSpec> nodes;
  std::vector<CheckSpecConfig> checks;
  AlertSettings alerts;
  RetentionSettings retention;
  PhaseTargets targets;
  bool operator==(const FleetSettings&) const = default;
};

}  // namespace fleetgate
