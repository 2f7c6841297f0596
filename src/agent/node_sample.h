// What the agent measures on its machine for each heartbeat: load, memory, disks, uptime and
// GPUs (nvidia-smi's CSV when present), parsed from /proc text by pure functions, and the
// heartbeat JSON it sends (the schema POST /fleet/v1/heartbeat reads).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace fleetgate {

struct DiskSample {
  std::string mount;
  std::uint64_t total_bytes = 0;
  std::uint64_t used_bytes = 0;
};

struct GpuSample {
  int index = 0;
  std::string name;
  std::uint64_t memory_total_bytes = 0;
  std::uint64_t memory_used_bytes = 0;
  std::optional<double> utilization_percent;
  std::optional<double> temperature_c;
};

struct ProcessSample {
  std::string name;
  std::string state;  // running, backoff, fatal, ...
  std::optional<long long> pid;
  int restarts = 0;
  std::optional<int> exit_status;
  bool on_demand = false;  // stopped is its resting state
};

// What the agent did on its own or when asked, for the control plane's record.
struct ActionRecord {
  std::int64_t at_ms = 0;  // wall clock, when it began
  std::string process;
  std::string action;  // start, stop, restart
  std::string reason;
  std::string outcome;    // how it ended: "running after 1.2s", "stopped", "failed: ..."
  bool recovery = false;  // counted as an automatic recovery
};

struct NodeSample {
  std::string node;
  std::string agent_version;
  double uptime_s = 0;
  double period_s = 10;
  unsigned cores = 1;
  std::array<double, 3> load{};  // 1, 5, 15 minutes
  std::uint64_t memory_total_bytes = 0;
  std::uint64_t memory_available_bytes = 0;
  std::vector<DiskSample> disks;
  std::vector<GpuSample> gpus;
  std::vector<ProcessSample> processes;
  std::vector<ActionRecord> actions;  // finished since the last heartbeat that went through
};

std::optional<std::array<double, 3>> parse_loadavg(std::string_view text);
// MemTotal and MemAvailable, in bytes.
std::optional<std::pair<std::uint64_t, std::uint64_t>> parse_meminfo(std::string_view text);
std::optional<double> parse_uptime(std::string_view text);
// Mount points of real file systems in /proc/mounts (not proc, sysfs, tmpfs, cgroup, ...).
std::vector<std::string> parse_mounts(std::string_view text);
// `nvidia-smi --query-gpu=index,name,memory.total,memory.used,utilization.gpu,temperature.gpu
//  --format=csv,noheader,nounits` (MiB, %, °C); "[N/A]" fields are left out.
std::vector<GpuSample> parse_nvidia_smi(std::string_view csv);

std::string heartbeat_json(const NodeSample& s);

}  // namespace fleetgate
