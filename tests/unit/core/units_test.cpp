#include "core/units.h"

#include <gtest/gtest.h>

namespace fleetgate {

TEST(Units, DurationsAcceptLiteLLMSecondsAndSuffixes) {
  EXPECT_EQ(parse_duration("30"), Duration(30000));
  EXPECT_EQ(parse_duration("1.5"), Duration(1500));
  EXPECT_EQ(parse_duration("250ms"), Duration(250));
  EXPECT_EQ(parse_duration("5s"), Duration(5000));
  EXPECT_EQ(parse_duration("2m"), Duration(120000));
  EXPECT_EQ(parse_duration("2d"), Duration(2 * 86400000));
  EXPECT_EQ(format_duration(Duration(86400000)), "1d");
  EXPECT_EQ(parse_duration("1h"), Duration(3600000));
  EXPECT_FALSE(parse_duration(""));
  EXPECT_FALSE(parse_duration("-1"));
  EXPECT_FALSE(parse_duration("5 parsecs"));
  EXPECT_FALSE(parse_duration("abc"));
}

TEST(Units, Sizes) {
  EXPECT_EQ(parse_size("4096"), 4096u);
  EXPECT_EQ(parse_size("32MiB"), 32u << 20);
  EXPECT_EQ(parse_size("1MB"), 1000000u);
  EXPECT_EQ(parse_size("2KiB"), 2048u);
  EXPECT_FALSE(parse_size("12 potatoes"));
  EXPECT_FALSE(parse_size(""));
}

TEST(Units, FormatDuration) {
  EXPECT_EQ(format_duration(Duration(5000)), "5s");
  EXPECT_EQ(format_duration(Duration(250)), "250ms");
  EXPECT_EQ(format_duration(Duration(120000)), "2m");
}

}  // namespace fleetgate
