#include "config/yaml11.h"

#include <gtest/gtest.h>

#include <cmath>

namespace fleetgate {

TEST(Yaml11, IntegersAsPyYamlReadsThem) {
  EXPECT_EQ(yaml11_int("80_000"), 80000);
  EXPECT_EQ(yaml11_int("1_000_000"), 1000000);
  EXPECT_EQ(yaml11_int("-12"), -12);
  EXPECT_EQ(yaml11_int("+7"), 7);
  EXPECT_EQ(yaml11_int("0x1F"), 31);
  EXPECT_EQ(yaml11_int("0b101"), 5);
  EXPECT_EQ(yaml11_int("017"), 15);  // YAML 1.1: a leading 0 is octal
  EXPECT_EQ(yaml11_int("0"), 0);
  EXPECT_EQ(yaml11_int("1:30"), 90);  // base 60
  EXPECT_EQ(yaml11_int("190:20:30"), 685230);
  for (const char* no : {"", "_1", "1.5", "1e3", "08", "abc", "1:60", "0x", "99999999999999999999"})
    EXPECT_FALSE(yaml11_int(no)) << no;
}

TEST(Yaml11, FloatsNeedADot) {
  EXPECT_EQ(yaml11_float("1.5"), 1.5);
  EXPECT_EQ(yaml11_float("1_000.5"), 1000.5);
  EXPECT_EQ(yaml11_float("-0.25"), -0.25);
  EXPECT_EQ(yaml11_float("1.5e+3"), 1500.0);
  EXPECT_EQ(yaml11_float("1.:30"), std::nullopt);
  EXPECT_EQ(yaml11_float("1:30.5"), 90.5);
  EXPECT_TRUE(std::isinf(*yaml11_float(".inf")));
  EXPECT_TRUE(std::isnan(*yaml11_float(".nan")));
  for (const char* no : {"1e3", "1.5e3", "1", "abc", ".", "1.2.3"})
    EXPECT_FALSE(yaml11_float(no)) << no;
}

TEST(Yaml11, Booleans) {
  for (const char* t : {"yes", "Yes", "YES", "on", "On", "true", "TRUE"})
    EXPECT_EQ(yaml11_bool(t), true) << t;
  for (const char* f : {"no", "NO", "off", "Off", "false", "False"})
    EXPECT_EQ(yaml11_bool(f), false) << f;
  EXPECT_FALSE(yaml11_bool("y"));  // PyYAML leaves y/n as strings
  EXPECT_FALSE(yaml11_bool("1"));
}

TEST(Yaml11, AnUnclosedQuoteIsFoundAtItsLine) {
  const std::string bad = "a: 1\nb: \"never closed\nc: 2\n";
  EXPECT_EQ(unterminated_quote(YAML::Load(bad), bad), 2);
  const std::string single = "a: 'it''s fine'\nb: 'open\n";
  EXPECT_EQ(unterminated_quote(YAML::Load(single), single), 2);
  const std::string good = "a: \"x \\\" y\"\nb: 'it''s'\nc: [\"p\", 'q']\nd: |\n  \"block\n";
  EXPECT_EQ(unterminated_quote(YAML::Load(good), good), std::nullopt);
}

}  // namespace fleetgate
