// The agent's node sample: /proc text, nvidia-smi CSV, and the heartbeat it sends.
#include "agent/node_sample.h"

#include "fleet/heartbeat.h"

#include <gtest/gtest.h>

namespace fleetgate {
namespace {

TEST(NodeSample, ParsesProcText) {
  auto load = parse_loadavg("0.52 0.58 0.59 2/1043 123456\n");
  ASSERT_TRUE(load);
  EXPECT_DOUBLE_EQ((*load)[2], 0.59);
  EXPECT_FALSE(parse_loadavg("garbage"));
  auto mem = parse_meminfo(
      "MemTotal:       32768000 kB\nMemFree:         1000000 kB\nMemAvailable:   12000000 kB\n");
  ASSERT_TRUE(mem);
  EXPECT_EQ(mem->first, 32768000ull * 1024);
  EXPECT_EQ(mem->second, 12000000ull * 1024);
  EXPECT_FALSE(parse_meminfo("MemTotal: 1 kB\n"));
  EXPECT_EQ(parse_uptime("86400.25 170000.00\n"), 86400.25);
  auto mounts = parse_mounts(
      "/dev/sda2 / ext4 rw 0 0\nproc /proc proc rw 0 0\ntmpfs /run tmpfs rw 0 0\n"
      "/dev/sdb1 /mnt/big\\040disk xfs rw 0 0\n/dev/sda2 /var/lib/docker ext4 rw 0 0\n"
      "overlay /var/lib/docker/overlay2/x/merged overlay rw 0 0\n");
  EXPECT_EQ(mounts, (std::vector<std::string>{"/", "/mnt/big disk"}));
}

TEST(NodeSample, ParsesNvidiaSmiCsv) {
  auto gpus = parse_nvidia_smi(
      "0, NVIDIA GeForce RTX 3060, 12288, 6144, 37, 61\n1, Tesla T4, 15360, 0, [N/A], [N/A]\n");
  ASSERT_EQ(gpus.size(), 2u);
  EXPECT_EQ(gpus[0].name, "NVIDIA GeForce RTX 3060");
  EXPECT_EQ(gpus[0].memory_total_bytes, 12288ull * 1024 * 1024);
  EXPECT_EQ(gpus[0].temperature_c, 61);
  EXPECT_FALSE(gpus[1].utilization_percent);
  EXPECT_TRUE(parse_nvidia_smi("").empty());
}

// What the agent sends is what the control plane reads.
TEST(NodeSample, HeartbeatJsonRoundTripsThroughTheServersParser) {
  NodeSample s;
  s.node = "ai";
  s.agent_version = "0.1.0";
  s.uptime_s = 86400.5;
  s.cores = 12;
  s.load = {0.8, 0.7, 0.5};
  s.memory_total_bytes = 32ull << 30;
  s.memory_available_bytes = 8ull << 30;
  s.disks.push_back({"/", 1000, 970});
  s.gpus.push_back({0, "RX 550", 4ull << 30, 1ull << 30, 40, 61});
  s.processes.push_back({"vllm", "running", 4242, 2, std::nullopt, false});
  s.processes.push_back({"big", "stopped", std::nullopt, 0, std::nullopt, true});
  s.actions.push_back({1795000000000, "vllm", "restart", "liveness probe failed 3 times",
                       "running after 4s", true});
  auto hb = parse_heartbeat(heartbeat_json(s));
  ASSERT_TRUE(hb) << hb.error().message;
  EXPECT_EQ(hb->node, "ai");
  EXPECT_EQ(hb->period, Duration(10000));
  EXPECT_EQ(hb->cores, 12);
  EXPECT_EQ(hb->load1, 0.8);
  ASSERT_EQ(hb->disks.size(), 1u);
  EXPECT_EQ(hb->disks[0].used_bytes, 970);
  ASSERT_EQ(hb->gpus.size(), 1u);
  EXPECT_EQ(hb->gpus[0].temperature_c, 61);
  ASSERT_EQ(hb->processes.size(), 2u);
  EXPECT_EQ(hb->processes[0].restarts, 2);
  EXPECT_EQ(hb->processes[0].pid, 4242);
  EXPECT_FALSE(hb->processes[0].on_demand);
  EXPECT_TRUE(hb->processes[1].on_demand);
  ASSERT_EQ(hb->actions.size(), 1u);
  EXPECT_EQ(hb->actions[0].at_ms, 1795000000000);
  EXPECT_EQ(hb->actions[0].outcome, "running after 4s");
  EXPECT_TRUE(hb->actions[0].recovery);
  auto r = readings(*hb);
  bool disk = false;
  for (const auto& x : r) disk |= x.metric == Metric::DiskUsedPercent && x.value == 97.0;
  EXPECT_TRUE(disk);
}

}  // namespace
}  // namespace fleetgate
