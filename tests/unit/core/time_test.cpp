#include "core/cron.h"
#include "core/time_zone.h"
#include "core/wall_time.h"

#include <gtest/gtest.h>

namespace fleetgate {
namespace {

using namespace std::chrono;

sys_seconds at(const char* text) {
  auto t = parse_rfc3339(text);
  EXPECT_TRUE(t) << text;
  return floor<seconds>(t.value_or(WallTime{}));
}

std::string next(const char* expr, const char* after, const TimeZone& tz = TimeZone::utc()) {
  std::string problem;
  auto c = CronSchedule::parse(expr, problem);
  EXPECT_TRUE(c) << expr << ": " << problem;
  if (!c) return "";
  auto n = c->next_after(at(after), tz);
  return n ? rfc3339(*n) : "none";
}

TEST(WallTime, Rfc3339RoundTripAndOffsets) {
  const auto t = from_ms(1'795'000'000'250);
  EXPECT_EQ(rfc3339(t), "2026-11-18T11:06:40.250Z");
  EXPECT_EQ(parse_rfc3339(rfc3339(t)), t);
  EXPECT_EQ(rfc3339(*parse_rfc3339("2026-11-18T13:06:40+02:00")), "2026-11-18T11:06:40Z");
  EXPECT_FALSE(parse_rfc3339("2026-11-18 nonsense"));
  EXPECT_FALSE(parse_rfc3339("2026-02-30T00:00:00Z"));
  EXPECT_FALSE(parse_rfc3339("2026-11-18T08:26:40"));  // no zone
}

// Found by fuzz_units and fuzz_silence: years WallTime cannot hold overflowed (a silence "until
// 1500" lasted until 2084), and signs were taken inside fields.
TEST(WallTime, Rfc3339RefusesWhatItCannotHold) {
  for (const char* bad : {"1500-01-01T00:00:00Z", "2300-01-01T00:00:00Z", "9999-12-31T23:59:59Z",
                          "2026-01-01T-1:00:00Z", "2026-01-01T00:-5:00Z", "2026-01-01T00:00:+5Z",
                          "+026-01-01T00:00:00Z", "2026-01-01T00:00:00+99:00",
                          "2026-01-01T00:00:00+01:75", "2026-01-01T00:00:00+-1:00"})
    EXPECT_FALSE(parse_rfc3339(bad)) << bad;
  EXPECT_TRUE(parse_rfc3339("1900-01-01T00:00:00Z"));
  EXPECT_TRUE(parse_rfc3339("2200-12-31T23:59:59.999Z"));
}

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
