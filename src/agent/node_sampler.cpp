#include "agent/node_sampler.h"

#include "core/subprocess.h"

#include <sys/statvfs.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <thread>

namespace fleetgate {

namespace {

std::string read_file(const char* path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

NodeSample sample_node(const std::vector<std::string>& mounts, Duration gpu_timeout) {
  NodeSample s;
  if (auto load = parse_loadavg(read_file("/proc/loadavg"))) s.load = *load;
  if (auto mem = parse_meminfo(read_file("/proc/meminfo"))) {
    s.memory_total_bytes = mem->first;
    s.memory_available_bytes = mem->second;
  }
  s.uptime_s = parse_uptime(read_file("/proc/uptime")).value_or(0);
  s.cores = std::max(1u, std::thread::hardware_concurrency());
  const auto paths = mounts.empty() ? parse_mounts(read_file("/proc/mounts")) : mounts;
  for (const auto& m : paths) {
    struct statvfs st {};
    if (::statvfs(m.c_str(), &st) != 0 || st.f_blocks == 0) continue;
    const std::uint64_t total = static_cast<std::uint64_t>(st.f_blocks) * st.f_frsize;
    const std::uint64_t free_for_users = static_cast<std::uint64_t>(st.f_bavail) * st.f_frsize;
    const std::uint64_t free_all = static_cast<std::uint64_t>(st.f_bfree) * st.f_frsize;
    // As df: used = total - free; the root-reserved blocks count as neither used nor usable.
    const std::uint64_t used = total - free_all;
    s.disks.push_back({m, used + free_for_users, used});
  }
  // Most machines have no nvidia-smi: then there are no GPUs to list, and nothing is started.
  if (!find_program("nvidia-smi").empty()) {
    auto smi = run_subprocess({"nvidia-smi",
                               "--query-gpu=index,name,memory.total,memory.used,utilization.gpu,"
                               "temperature.gpu",
                               "--format=csv,noheader,nounits"},
                              "", true, gpu_timeout);
    if (smi.succeeded()) s.gpus = parse_nvidia_smi(smi.output);
  }
  return s;
}

}  // namespace fleetgate
