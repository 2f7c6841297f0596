#include "core/cron.h"

#include <charconv>
#include <sstream>
#include <vector>

namespace fleetgate {

namespace {

constexpr const char* kMonths[] = {"jan", "feb", "mar", "apr", "may", "jun",
                                   "jul", "aug", "sep", "oct", "nov", "dec"};
constexpr const char* kDays[] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};

struct Field {
  const char* name;
  int min;
  int max;
};

std::optional<int> value_of(std::string_view s, const Field& f) {
  std::string lower;
  for (char c : s) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (f.max == 12)
    for (int i = 0; i < 12; ++i)
      if (lower == kMonths[i]) return i + 1;
  if (f.max == 7)
    for (int i = 0; i < 7; ++i)
      if (lower == kDays[i]) return i;
  int v = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || ptr != s.data() + s.size() || s.empty()) return std::nullopt;
  if (v < f.min || v > f.max) return std::nullopt;
  return v;
}

// Sets the bits one field names; false when it is malformed.
bool parse_field(std::string_view text, const Field& f, std::vector<bool>& bits) {
  bits.assign(static_cast<std::size_t>(f.max + 1), false);
  while (!text.empty()) {
    const auto comma = text.find(',');
    std::string_view part = text.substr(0, comma);
    text = comma == std::string_view::npos ? std::string_view{} : text.substr(comma + 1);
    int step = 1;
    if (auto slash = part.find('/'); slash != std::string_view::npos) {
      auto s = value_of(part.substr(slash + 1), Field{f.name, 1, 1000});
      if (!s) return false;
      step = *s;
      part = part.substr(0, slash);
    }
    int lo = f.min;
    int hi = f.max;
    if (part != "*") {
      const auto dash = part.find('-');
      auto a = value_of(part.substr(0, dash), f);
      if (!a) return false;
      lo = hi = *a;
      if (dash != std::string_view::npos) {
        auto b = value_of(part.substr(dash + 1), f);
        if (!b || *b < *a) return false;
        hi = *b;
      } else if (step != 1) {
        hi = f.max;  // "5/15" means 5-max/15
      }
    }
    for (int v = lo; v <= hi; v += step) bits[static_cast<std::size_t>(v)] = true;
  }
  return true;
}

template <std::size_t N>
void copy_bits(const std::vector<bool>& from, std::bitset<N>& to) {
  for (std::size_t i = 0; i < N && i < from.size(); ++i) to[i] = from[i];
}

}  // namespace

std::optional<CronSchedule> CronSchedule::parse(const std::string& text, std::string& problem) {
  std::string expr = text;
  if (expr == "@hourly") expr = "0 * * * *";
  if (expr == "@daily" || expr == "@midnight") expr = "0 0 * * *";
  if (expr == "@weekly") expr = "0 0 * * 0";
  if (expr == "@monthly") expr = "0 0 1 * *";
  if (expr == "@yearly" || expr == "@annually") expr = "0 0 1 1 *";
  std::istringstream in(expr);
  std::vector<std::string> fields;
  for (std::string f; in >> f;) fields.push_back(f);
  if (fields.size() != 5) {
    problem = "must have five fields (minute hour day-of-month month day-of-week), not " +
              std::to_string(fields.size());
    return std::nullopt;
  }
  static constexpr Field kFields[] = {{"minute", 0, 59},
                                      {"hour", 0, 23},
                                      {"day-of-month", 1, 31},
                                      {"month", 1, 12},
                                      {"day-of-week", 0, 7}};
  CronSchedule c;
  std::vector<bool> bits;
  for (std::size_t i = 0; i < 5; ++i) {
    if (!parse_field(fields[i], kFields[i], bits)) {
      problem = std::string("bad ") + kFields[i].name + " field '" + fields[i] + "'";
      return std::nullopt;
    }
    switch (i) {
      case 0: copy_bits(bits, c.minutes_); break;
      case 1: copy_bits(bits, c.hours_); break;
      case 2: copy_bits(bits, c.days_); break;
      case 3: copy_bits(bits, c.months_); break;
      case 4:
        if (bits[7]) bits[0] = true;  // 7 is Sunday too
        copy_bits(bits, c.weekdays_);
        break;
    }
  }
  c.any_day_ = fields[2] == "*";
  c.any_weekday_ = fields[4] == "*";
  return c;
}

bool CronSchedule::day_matches(int day_of_month, int day_of_week) const {
  const bool dom = days_[static_cast<std::size_t>(day_of_month)];
  const bool dow = weekdays_[static_cast<std::size_t>(day_of_week)];
  if (any_day_ && any_weekday_) return true;
  if (any_day_) return dow;
  if (any_weekday_) return dom;
  return dom || dow;  // both restricted: either matches (crontab(5))
}

std::optional<std::chrono::sys_seconds> CronSchedule::next_after(std::chrono::sys_seconds after,
                                                                 const TimeZone& tz) const {
  using namespace std::chrono;
  // Walk local time field by field, re-reading the offset at each step so DST changes hold.
  sys_seconds utc = floor<minutes>(after) + minutes(1);
  const sys_seconds limit = utc + days(5 * 366);
  while (utc < limit) {
    const seconds off(tz.offset_at(utc.time_since_epoch().count()));
    const sys_seconds local = utc + off;  // local wall time, as if it were UTC
    const sys_days day = floor<days>(local);
    const year_month_day ymd(day);
    const hh_mm_ss hms(local - day);
    const int hour = static_cast<int>(hms.hours().count());
    const int minute = static_cast<int>(hms.minutes().count());
    if (!months_[static_cast<unsigned>(ymd.month())]) {
      const year_month next = year_month(ymd.year(), ymd.month()) + months(1);
      utc = sys_days(next / 1) - off;
      continue;
    }
    if (!day_matches(static_cast<int>(static_cast<unsigned>(ymd.day())),
                     static_cast<int>(weekday(day).c_encoding()))) {
      utc = (day + days(1)) - off;
      continue;
    }
    if (!hours_[static_cast<std::size_t>(hour)]) {
      utc = (day + hours(hour + 1)) - off;
      continue;
    }
    if (!minutes_[static_cast<std::size_t>(minute)]) {
      utc += minutes(1);
      continue;
    }
    return utc;
  }
  return std::nullopt;
}

}  // namespace fleetgate
