#include "core/json_escape.h"
#include "core/checked_cast.h"

#include <gtest/gtest.h>

#include <cstdint>

namespace fleetgate {

TEST(JsonEscape, EscapesAndAlwaysGivesUtf8) {
  EXPECT_EQ(json_string("a\"b\\c\n\x01"), R"("a\"b\\c\n\u0001")");
  EXPECT_EQ(json_string("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"),
            "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"");
  // Invalid sequences: a lone continuation, a truncated sequence, an overlong form, a surrogate,
  // a code point past U+10FFFF, and bytes that never start one.
  EXPECT_EQ(json_string("x\x80y"), R"("x\ufffdy")");
  EXPECT_EQ(json_string("\xe2\x82"), R"("\ufffd\ufffd")");
  EXPECT_EQ(json_string("\xc0\xaf"), R"("\ufffd\ufffd")");
  EXPECT_EQ(json_string("\xed\xa0\x80"), R"("\ufffd\ufffd\ufffd")");
  EXPECT_EQ(json_string("\xf4\x90\x80\x80"), R"("\ufffd\ufffd\ufffd\ufffd")");
  EXPECT_EQ(json_string("\xff\xfe"), R"("\ufffd\ufffd")");
  EXPECT_TRUE(is_utf8("plain \xc3\xa9"));
  EXPECT_FALSE(is_utf8("bad \xc3"));
}

TEST(CheckedCast, OutOfRangeNumbersAreRefusedNotCast) {
  EXPECT_EQ(to_integer<int>(42.9), 42);
  EXPECT_EQ(to_integer<int>(-3.5), -3);
  EXPECT_FALSE(to_integer<int>(3e9));
  EXPECT_FALSE(to_integer<std::uint64_t>(-1.0));
  EXPECT_FALSE(to_integer<std::int64_t>(9.3e18));
  EXPECT_EQ(to_integer<std::int64_t>(9.2e18), static_cast<std::int64_t>(9.2e18));
  EXPECT_FALSE(to_integer<std::uint64_t>(1.8446744073709552e19));
  EXPECT_FALSE(to_integer<int>(std::numeric_limits<double>::quiet_NaN()));
  EXPECT_FALSE(to_integer<int>(std::numeric_limits<double>::infinity()));
  EXPECT_EQ(clamp_to_integer<std::uint64_t>(-5, 0, 100), 0u);
  EXPECT_EQ(clamp_to_integer<std::uint64_t>(1e300, 0, 100), 100u);
  EXPECT_EQ(clamp_to_integer<std::uint64_t>(std::numeric_limits<double>::quiet_NaN(), 0, 9), 0u);
}

}  // namespace fleetgate
