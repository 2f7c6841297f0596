// Reads this machine's figures for a heartbeat: /proc/loadavg, /proc/meminfo, /proc/uptime,
// statvfs() of each real mount, and nvidia-smi when it is on PATH (bounded by a timeout;
// without it the GPU list is simply empty).
#pragma once

#include "agent/node_sample.h"
#include "core/units.h"

namespace fleetgate {

// `mounts` empty: every real file system in /proc/mounts.
NodeSample sample_node(const std::vector<std::string>& mounts,
                       Duration gpu_timeout = std::chrono::seconds(2));

}  // namespace fleetgate
