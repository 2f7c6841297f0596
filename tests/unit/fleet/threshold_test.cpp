// Thresholds with hysteresis, and the flap detector.
#include "fleet/threshold.h"

#include "config/loader.h"

#include <gtest/gtest.h>

namespace fleetgate {
namespace {

using namespace std::chrono_literals;

const FleetTime t0 = FleetTime(std::chrono::hours(100));

// A threshold written with warning and critical only clears at its default level, for every
// figure's scale: a cpu_load_per_core warning of 1.5 never cleared when the default was
// warning - 2.
TEST(Threshold, EveryFigureClearsWithTheDefaultClearLevel) {
  struct Case {
    const char* metric;
    double warning, critical, busy, calm;
  };
  for (const Case c :
       {Case{"disk_used_percent", 85, 95, 90, 80}, Case{"memory_used_percent", 90, 97, 92, 85},
        Case{"cpu_load_per_core", 1.5, 3, 2, 1.0}, Case{"gpu_temperature_c", 80, 90, 85, 70},
        Case{"gpu_memory_used_percent", 90, 98, 95, 80}}) {
    SCOPED_TRACE(c.metric);
    const std::string yaml = std::string("fleet:\n  thresholds:\n    ") + c.metric +
                             ": {warning: " + std::to_string(c.warning) +
                             ", critical: " + std::to_string(c.critical) + "}\n";
    auto config = load_config_text(yaml, "config.yaml");
    ASSERT_TRUE(config);
    const auto& levels = config->fleet.thresholds.at(*parse_metric(c.metric));
    EXPECT_LT(levels.clear, levels.warning);
    EXPECT_GT(levels.clear, 0);
    EXPECT_NEAR(levels.clear, c.warning * 0.95, 1e-9);
    Threshold t(levels);
    EXPECT_EQ(t.update(c.busy), Level::Warning);
    EXPECT_EQ(t.update(c.warning - 0.01 * c.warning), std::nullopt);  // hovering: stays
    EXPECT_EQ(t.update(c.calm), Level::Ok);
  }
}

TEST(Threshold, HysteresisKeepsAHoveringValueFromFlapping) {
  Threshold disk(ThresholdSpec{80, 90, 78});
  EXPECT_FALSE(disk.update(50));
  EXPECT_EQ(disk.update(81), Level::Warning);
  EXPECT_FALSE(disk.update(79.5));  // below warning but above clear: still warning
  EXPECT_FALSE(disk.update(80.5));
  EXPECT_EQ(disk.update(95), Level::Critical);
  EXPECT_EQ(disk.update(85), Level::Warning);  // eases to warning
  EXPECT_FALSE(disk.update(79));
  EXPECT_EQ(disk.update(77.9), Level::Ok);
  EXPECT_EQ(disk.update(91), Level::Critical);  // straight from ok to critical
  EXPECT_EQ(disk.update(78.5), Level::Warning);
}

TEST(FlapDetector, ManyTransitionsInAWindowMarkFlappingOnce) {
  FlapDetector f(4, 10min);
  for (int i = 0; i < 4; ++i) EXPECT_FALSE(f.record(t0 + std::chrono::minutes(i)));
  EXPECT_EQ(f.record(t0 + 4min), true);
  EXPECT_FALSE(f.record(t0 + 5min));   // still flapping: no second notice
  EXPECT_FALSE(f.settle(t0 + 12min));  // 3 transitions left in the window: not calm yet
  EXPECT_EQ(f.settle(t0 + 14min), false);
  EXPECT_FALSE(f.flapping());
}

}  // namespace
}  // namespace fleetgate
