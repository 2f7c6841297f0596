// Cron schedules: next times, time zones and DST, clear errors.
#include "core/cron.h"

#include "core/wall_time.h"

#include "time_fixtures.h"

#include <gtest/gtest.h>

namespace fleetgate {
namespace {

using namespace std::chrono;

using test::at;

std::string next(const char* expr, const char* after, const TimeZone& tz = TimeZone::utc()) {
  std::string problem;
  auto c = CronSchedule::parse(expr, problem);
  EXPECT_TRUE(c) << expr << ": " << problem;
  if (!c) return "";
  auto n = c->next_after(at(after), tz);
  return n ? rfc3339(*n) : "none";
}

TEST(Cron, NextTimes) {
  EXPECT_EQ(next("*/15 * * * *", "2026-11-22T10:07:30Z"), "2026-11-22T10:15:00Z");
  EXPECT_EQ(next("*/15 * * * *", "2026-11-22T10:15:00Z"), "2026-11-22T10:30:00Z");  // strictly
  EXPECT_EQ(next("0 2 * * *", "2026-11-22T10:00:00Z"), "2026-11-23T02:00:00Z");
  EXPECT_EQ(next("30 9 * * mon-fri", "2026-11-21T00:00:00Z"), "2026-11-23T09:30:00Z");  // Sat
  EXPECT_EQ(next("0 0 1 jan *", "2026-11-22T00:00:00Z"), "2027-01-01T00:00:00Z");
  EXPECT_EQ(next("@weekly", "2026-11-22T00:00:00Z"), "2026-11-29T00:00:00Z");     // Sunday
  EXPECT_EQ(next("0 12 * * 7", "2026-11-22T13:00:00Z"), "2026-11-29T12:00:00Z");  // 7 = Sunday
  // Both day fields restricted: either matches (the 1st, or any Monday).
  EXPECT_EQ(next("0 0 1 * 1", "2026-11-24T00:00:00Z"), "2026-11-30T00:00:00Z");
  EXPECT_EQ(next("0 0 31 2 *", "2026-11-22T00:00:00Z"), "none");
}

TEST(Cron, ReadsTheScheduleInItsTimeZone) {
  std::string problem;
  auto berlin = TimeZone::load("Europe/Berlin", problem);
  ASSERT_TRUE(berlin);
  // 02:00 in Berlin is 01:00 UTC in winter, 00:00 UTC in summer.
  EXPECT_EQ(next("0 2 * * *", "2026-11-22T10:00:00Z", *berlin), "2026-11-23T01:00:00Z");
  EXPECT_EQ(next("0 2 * * *", "2026-07-01T10:00:00Z", *berlin), "2026-07-02T00:00:00Z");
  // The night DST starts, 02:xx does not exist in Berlin; the next run is the night after.
  EXPECT_EQ(next("30 2 * * *", "2026-03-28T12:00:00Z", *berlin), "2026-03-30T00:30:00Z");
}

TEST(Cron, ClearErrors) {
  std::string problem;
  EXPECT_FALSE(CronSchedule::parse("* * *", problem));
  EXPECT_NE(problem.find("five fields"), std::string::npos);
  EXPECT_FALSE(CronSchedule::parse("61 * * * *", problem));
  EXPECT_EQ(problem, "bad minute field '61'");
  EXPECT_FALSE(CronSchedule::parse("* * * foo *", problem));
  EXPECT_EQ(problem, "bad month field 'foo'");
  EXPECT_FALSE(CronSchedule::parse("5-1 * * * *", problem));
}

}  // namespace
}  // namespace fleetgate
