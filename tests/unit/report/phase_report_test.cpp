// The phase report: the golden snapshot, snapshot errors, and a report built from the store.
#include "report/phase_report.h"

#include <gtest/gtest.h>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <unistd.h>

namespace fleetgate {
namespace {

using namespace std::chrono_literals;

std::string read(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

const std::string kGolden = std::string(FLEETGATE_SOURCE_DIR) + "/tests/golden/";

// The report of a checked-in snapshot, byte for byte. To accept a deliberate change:
//   fleetgate report --snapshot tests/golden/phase-1-snapshot.json -o
//   tests/golden/phase-1-report.md
TEST(PhaseReport, SnapshotRendersAsTheGoldenFile) {
  auto snap = parse_snapshot(read(kGolden + "phase-1-snapshot.json"));
  ASSERT_TRUE(snap) << snap.error().message;
  EXPECT_EQ(render_markdown(*snap), read(kGolden + "phase-1-report.md"));
  // The JSON form reads back to the same report.
  auto again = parse_snapshot(snapshot_json(*snap));
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ(render_markdown(*again), render_markdown(*snap));
}

TEST(PhaseReport, SnapshotErrors) {
  EXPECT_FALSE(parse_snapshot("[1,2]"));
  auto bad = parse_snapshot(R"({"uptime_30d": "high"})");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message, "'uptime_30d' must be a number or null");
}

TEST(PhaseReport, BuiltFromTheStore) {
  const std::string path = ::testing::TempDir() + "report-" + std::to_string(::getpid()) + ".db";
  for (const char* s : {"", "-wal", "-shm"}) std::filesystem::remove(path + s);
  auto store = Store::open(path);
  ASSERT_TRUE(store);
  const auto now =
      std::chrono::floor<std::chrono::days>(WallTime(std::chrono::hours(490'000))) + 12h;
  const auto ms = [](WallTime t) { return to_ms(t); };
  WriteBatch b;
  // A node up for 40 days but down 12 h yesterday; a backend up for 10 days, busy 6 h of them.
  b.subjects.push_back({"node", "ai", "up", "ping", ms(now - 12h), ms(now), 0, false, ""});
  b.subjects.push_back({"backend", "qwen#1", "up", "ok", ms(now - 240h), ms(now), 0, false, ""});
  b.transitions.push_back({"node", "ai", "new", "up", "ping", ms(now - 960h), false});
  b.transitions.push_back({"node", "ai", "up", "down", "no ping", ms(now - 36h), false});
  b.transitions.push_back({"node", "ai", "down", "up", "ping", ms(now - 24h), false});
  b.transitions.push_back({"backend", "qwen#1", "new", "up", "ok", ms(now - 240h), false});
  b.usage.push_back({"qwen#1", ms(now - 2h), 100, 0, 0, 0, 6 * 3'600'000});
  (*store)->write(b);
  (*store)->flush();
  FleetSettings settings;
  settings.targets.uptime = 0.95;
  settings.targets.days_at_uptime = 30;
  auto snap = build_snapshot(**store, settings, now);
  ASSERT_EQ(snap.subjects.size(), 2u);
  const auto& node = snap.subjects[1].kind == "node" ? snap.subjects[1] : snap.subjects[0];
  const auto& backend = snap.subjects[1].kind == "node" ? snap.subjects[0] : snap.subjects[1];
  EXPECT_DOUBLE_EQ(*node.uptime_24h, 1.0);
  EXPECT_NEAR(*node.uptime_7d, 1.0 - 12.0 / (24 * 7), 1e-9);
  EXPECT_NEAR(*node.uptime_30d, 1.0 - 12.0 / (24 * 30), 1e-9);
  EXPECT_EQ(node.days_at_uptime, 0);      // yesterday was 50 % (the run counts whole days)
  EXPECT_EQ(backend.days_at_uptime, 10);  // 9 whole days and the first half day, all up
  ASSERT_EQ(snap.capacity.size(), 1u);
  EXPECT_NEAR(snap.capacity[0].up_hours, 240, 1e-6);
  EXPECT_NEAR(*snap.capacity[0].utilization, 6.0 / 240, 1e-9);
  EXPECT_EQ(snap.other_recoveries, 1);
  EXPECT_EQ(snap.automatic_recoveries, 0);
  EXPECT_TRUE(snap.fleet_operational);
  EXPECT_FALSE(snap.ready());
}

}  // namespace
}  // namespace fleetgate
