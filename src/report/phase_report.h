// The fleet's phase report: uptime, days at target and capacity against the configured
// targets (MET / NOT MET), whether the next phase's trigger is READY, open alerts, and which
// recoveries were automatic. Built from the store into a snapshot (plain data, also the JSON
// form that `--snapshot` reads back), then rendered as Markdown or JSON.
#pragma once

#include "config/fleet_settings.h"
#include "core/error.h"
#include "core/wall_time.h"
#include "store/store.h"

#include <optional>
#include <string>
#include <vector>

namespace fleetgate {

struct SubjectUptime {
  std::string kind;
  std::string name;
  std::string state;  // up, down, new
  std::optional<WallTime> since;
  std::optional<double> uptime_24h, uptime_7d, uptime_30d;  // nullopt: nothing measured
  int days_at_uptime = 0;
};

struct BackendCapacity {
  std::string deployment;
  double busy_hours = 0;
  double up_hours = 0;
  std::optional<double> utilization;  // busy / up
  std::int64_t requests = 0;
};

struct OpenAlert {
  std::string alertname;
  std::string subject;
  std::string severity;
  WallTime since{};
  std::string summary;
};

struct Recovery {
  std::string kind;
  std::string name;
  WallTime at{};
  std::string reason;
  bool automatic = false;
};

// Something an agent did: a restart after a failed probe or check, an on-demand start, an
// idle stop.
struct AgentAction {
  WallTime at{};
  std::string node;
  std::string process;
  std::string action;
  std::string reason;
  std::string outcome;
  bool recovery = false;
};

struct PhaseSnapshot {
  WallTime generated_at{};
  std::string phase;
  std::string next_phase;
  PhaseTargets targets;
  bool fleet_operational = false;
  std::optional<double> uptime_30d;  // the mean of the subjects' 30-day uptime
  int days_at_uptime = 0;            // whole days in a row the fleet's mean met targets.uptime
  std::optional<double> capacity_utilization;
  std::vector<SubjectUptime> subjects;
  std::vector<BackendCapacity> capacity;
  std::vector<OpenAlert> open_alerts;
  int automatic_recoveries = 0;  // in 30 days
  int other_recoveries = 0;
  std::vector<Recovery> recent_recoveries;  // the last 20
  int recovery_actions = 0;                 // the agents' recovery actions in 30 days
  std::vector<AgentAction> recent_actions;  // the last 20 of every kind

  bool uptime_met() const { return uptime_30d && *uptime_30d >= targets.uptime; }
  bool days_met() const { return days_at_uptime >= targets.days_at_uptime; }
  bool capacity_met() const {
    return capacity_utilization && *capacity_utilization > targets.capacity;
  }
  bool ready() const { return fleet_operational && uptime_met() && days_met() && capacity_met(); }
};

PhaseSnapshot build_snapshot(Store& store, const FleetSettings& settings, WallTime now);

std::string snapshot_json(const PhaseSnapshot& s);
Result<PhaseSnapshot> parse_snapshot(std::string_view json);
std::string render_markdown(const PhaseSnapshot& s);

}  // namespace fleetgate
