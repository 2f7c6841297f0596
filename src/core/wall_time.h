// Wall-clock instants as the fleet's records and APIs carry them: milliseconds since the Unix
// epoch, and RFC 3339 text in UTC ("2026-11-22T09:30:00.250Z").
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace fleetgate {

using WallTime = std::chrono::system_clock::time_point;

inline std::int64_t to_ms(WallTime t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}
inline WallTime from_ms(std::int64_t ms) {
  return WallTime(std::chrono::duration_cast<WallTime::duration>(std::chrono::milliseconds(ms)));
}

// Milliseconds are written only when not zero.
std::string rfc3339(WallTime t);
// The years parse_rfc3339 takes (WallTime's nanoseconds reach from 1678 to 2262).
inline constexpr int kMinYear = 1900;
inline constexpr int kMaxYear = 2200;

// Accepts what rfc3339() writes, any fraction, and offsets such as +02:00; nullopt if malformed
// or outside kMinYear..kMaxYear.
std::optional<WallTime> parse_rfc3339(std::string_view text);

}  // namespace fleetgate
