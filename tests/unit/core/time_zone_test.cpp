// Time zones read from the system's database.
#include "core/time_zone.h"

#include "time_fixtures.h"

#include <gtest/gtest.h>

namespace fleetgate {
namespace {

using namespace std::chrono;

using test::at;

// Found by fuzz_config: a zone name that is a directory threw out of the loader (check and serve
// ended, a reload killed the gateway).
TEST(TimeZone, ADirectoryIsNoZone) {
  std::string problem;
  EXPECT_FALSE(TimeZone::load("Europe", problem));
  EXPECT_NE(problem.find("not a zone file"), std::string::npos) << problem;
  EXPECT_FALSE(TimeZone::load("Europe/", problem));
  EXPECT_FALSE(TimeZone::load("../../etc/passwd", problem));
}

TEST(TimeZone, ReadsTheSystemDatabase) {
  std::string problem;
  auto berlin = TimeZone::load("Europe/Berlin", problem);
  ASSERT_TRUE(berlin) << problem;
  EXPECT_EQ(berlin->offset_at(at("2026-01-15T12:00:00Z").time_since_epoch().count()), 3600);
  EXPECT_EQ(berlin->offset_at(at("2026-07-15T12:00:00Z").time_since_epoch().count()), 7200);
  // DST starts 2026-03-29 at 01:00 UTC.
  EXPECT_EQ(berlin->offset_at(at("2026-03-29T00:59:59Z").time_since_epoch().count()), 3600);
  EXPECT_EQ(berlin->offset_at(at("2026-03-29T01:00:00Z").time_since_epoch().count()), 7200);
  auto india = TimeZone::load("+05:30", problem);
  ASSERT_TRUE(india);
  EXPECT_EQ(india->offset_at(0), 19800);
  EXPECT_FALSE(TimeZone::load("Mars/Olympus_Mons", problem));
  EXPECT_NE(problem.find("unknown time zone"), std::string::npos);
  EXPECT_FALSE(TimeZone::load("../../etc/passwd", problem));
}

}  // namespace
}  // namespace fleetgate
