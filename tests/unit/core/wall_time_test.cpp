// RFC 3339 times: round trips, offsets, and what cannot be held.
#include "core/wall_time.h"

#include <gtest/gtest.h>

namespace fleetgate {
namespace {

using namespace std::chrono;

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

}  // namespace
}  // namespace fleetgate
