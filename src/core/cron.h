// A five-field cron expression (minute hour day-of-month month day-of-week) as crontab(5)
// reads it: lists, ranges, steps, month and day names, @hourly/@daily/@weekly/@monthly/@yearly,
// and the rule that a restricted day-of-month and day-of-week match either. Pure.
#pragma once

#include "core/time_zone.h"

#include <bitset>
#include <chrono>
#include <optional>
#include <string>

namespace fleetgate {

class CronSchedule {
 public:
  static std::optional<CronSchedule> parse(const std::string& text, std::string& problem);

  // The first whole minute strictly after `after` that the expression names, read in `tz`.
  // nullopt when none falls within the next five years (e.g. "0 0 31 2 *").
  std::optional<std::chrono::sys_seconds> next_after(std::chrono::sys_seconds after,
                                                     const TimeZone& tz) const;

 private:
  bool day_matches(int day_of_month, int day_of_week) const;

  std::bitset<60> minutes_;
  std::bitset<24> hours_;
  std::bitset<32> days_;     // 1..31
  std::bitset<13> months_;   // 1..12
  std::bitset<7> weekdays_;  // 0 = Sunday
  bool any_day_ = true;      // day-of-month was "*"
  bool any_weekday_ = true;  // day-of-week was "*"
};

}  // namespace fleetgate
