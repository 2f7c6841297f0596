// A time zone's UTC offsets, read from the system's tz database (/usr/share/zoneinfo, TZif
// version 2+). GCC 12's libstdc++ has no std::chrono::tzdb, hence this small reader. Times after
// the file's last transition (2037 in Debian's "fat" files) keep the last offset.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace fleetgate {

class TimeZone {
 public:
  // "UTC", a zone name such as "Europe/Berlin", or a fixed offset such as "+05:30".
  // nullopt (with `problem` set) when it cannot be found or read.
  static std::optional<TimeZone> load(const std::string& name, std::string& problem,
                                      const std::string& zoneinfo_dir = "/usr/share/zoneinfo");
  static TimeZone utc() { return TimeZone(); }

  // Seconds to add to UTC to get local time, at UTC instant `t` (seconds since the epoch).
  std::int64_t offset_at(std::int64_t t) const;
  const std::string& name() const { return name_; }

 private:
  std::string name_ = "UTC";
  std::vector<std::int64_t> transitions_;  // UTC seconds, ascending
  std::vector<std::int32_t> offsets_;      // offsets_[i] applies from transitions_[i]
  std::int32_t initial_offset_ = 0;        // before the first transition
};

}  // namespace fleetgate
