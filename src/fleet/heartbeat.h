// A node agent's heartbeat (POST /fleet/v1/heartbeat), parsed once at the edge:
//   {"node": "ai", "agent_version": "0.1.0", "uptime_s": 86400, "period_s": 30,
//    "cpu": {"cores": 12, "load1": 0.8, "load5": 0.7, "load15": 0.5},
//    "memory": {"total_bytes": 34359738368, "available_bytes": 12884901888},
//    "disks": [{"mount": "/", "total_bytes": 512110190592, "used_bytes": 496747184128}],
//    "gpus": [{"index": 0, "name": "RX 550", "memory_total_bytes": 4294967296,
//              "memory_used_bytes": 1610612736, "utilization_percent": 40, "temperature_c": 61}],
//    "processes": [{"name": "vllm", "state": "running", "pid": 4242, "restarts": 2,
//                   "exit_status": null, "on_demand": false}],
//    "actions": [{"at_ms": 1795000000000, "process": "vllm", "action": "restart",
//                 "reason": "liveness probe failed 3 times in a row: ...",
//                 "outcome": "running after 4s", "recovery": true}]}
// Everything but "node" is optional. Pure.
#pragma once

#include "control/vocabulary.h"

#include "config/fleet_settings.h"
#include "core/error.h"
#include "core/units.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace fleetgate {

struct DiskFigures {
  std::string mount;
  double total_bytes = 0;
  double used_bytes = 0;
};

struct GpuFigures {
  std::string id;  // index, or name when no index
  std::string name;
  std::optional<double> memory_total_bytes;
  std::optional<double> memory_used_bytes;
  std::optional<double> utilization_percent;
  std::optional<double> temperature_c;
};

// A process the agent supervises; states as supervisord names them, in lower case.
struct ProcessFigures {
  std::string name;
  std::string state;  // starting, running, backoff, stopping, stopped, exited, fatal
  std::optional<long long> pid;
  long long restarts = 0;  // respawns by the agent so far
  std::optional<int> exit_status;
  bool on_demand = false;  // started when asked: stopped is its resting state
  bool failed() const {
    const auto s = parse_process_state(state);
    return s && fleetgate::failed(*s);
  }
};

// Something the agent did (restart, on-demand start, idle stop), reported once.
struct ActionFigures {
  std::int64_t at_ms = 0;
  std::string process;
  std::string action;
  std::string reason;
  std::string outcome;
  bool recovery = false;
};

struct Heartbeat {
  std::string node;
  std::string agent_version;
  std::optional<double> uptime_s;
  std::optional<Duration> period;  // the agent's interval, when it says
  std::optional<double> cores;
  std::optional<double> load1, load5, load15;
  std::optional<double> memory_total_bytes, memory_available_bytes;
  std::vector<DiskFigures> disks;
  std::vector<GpuFigures> gpus;
  std::vector<ProcessFigures> processes;
  std::vector<ActionFigures> actions;
};

// A figure a threshold watches, with the instance it belongs to ("/" for a mount, "0" for a GPU;
// empty for node-wide figures).
struct Reading {
  Metric metric;
  std::string instance;
  double value;
};

Result<Heartbeat> parse_heartbeat(std::string_view body);
std::vector<Reading> readings(const Heartbeat& hb);

}  // namespace fleetgate
