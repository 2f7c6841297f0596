#include "core/wall_time.h"

#include <charconv>
#include <cstdio>

namespace fleetgate {

namespace {

// `v` as exactly `width` digits (zero-padded; v < 10^width).
char* put_digits(char* p, unsigned v, int width) {
  for (int i = width - 1; i >= 0; --i, v /= 10) p[i] = static_cast<char>('0' + v % 10);
  return p + width;
}

}  // namespace

// Written digit by digit: it is on the request path (Ollama's created_at), where snprintf's
// format parsing cost more than the rest of the answer.
std::string rfc3339(WallTime t) {
  using namespace std::chrono;
  const auto ms = floor<milliseconds>(t);
  const auto day = floor<days>(ms);
  const year_month_day ymd(day);
  const hh_mm_ss hms(ms - day);
  const int frac = static_cast<int>(hms.subseconds().count());
  const int year = static_cast<int>(ymd.year());
  char buf[40];
  if (year < 0 || year > 9999) {
    std::snprintf(buf, sizeof buf,
                  frac ? "%04d-%02u-%02uT%02d:%02d:%02d.%03dZ" : "%04d-%02u-%02uT%02d:%02d:%02dZ",
                  year, static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                  static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                  static_cast<int>(hms.seconds().count()), frac);
    return buf;
  }
  char* p = put_digits(buf, static_cast<unsigned>(year), 4);
  *p++ = '-';
  p = put_digits(p, static_cast<unsigned>(ymd.month()), 2);
  *p++ = '-';
  p = put_digits(p, static_cast<unsigned>(ymd.day()), 2);
  *p++ = 'T';
  p = put_digits(p, static_cast<unsigned>(hms.hours().count()), 2);
  *p++ = ':';
  p = put_digits(p, static_cast<unsigned>(hms.minutes().count()), 2);
  *p++ = ':';
  p = put_digits(p, static_cast<unsigned>(hms.seconds().count()), 2);
  if (frac) {
    *p++ = '.';
    p = put_digits(p, static_cast<unsigned>(frac), 3);
  }
  *p++ = 'Z';
  return std::string(buf, p);
}

std::optional<WallTime> parse_rfc3339(std::string_view s) {
  using namespace std::chrono;
  auto num = [&](std::size_t at, std::size_t len) -> std::optional<int> {
    if (at + len > s.size()) return std::nullopt;
    int v = 0;
    for (std::size_t k = at; k < at + len; ++k) {  // digits only: no sign, no blanks
      if (s[k] < '0' || s[k] > '9') return std::nullopt;
      v = v * 10 + (s[k] - '0');
    }
    return v;
  };
  if (s.size() < 20 || s[4] != '-' || s[7] != '-' ||
      (s[10] != 'T' && s[10] != 't' && s[10] != ' ') || s[13] != ':' || s[16] != ':')
    return std::nullopt;
  auto y = num(0, 4), mo = num(5, 2), d = num(8, 2), h = num(11, 2), mi = num(14, 2),
       se = num(17, 2);
  if (!y || !mo || !d || !h || !mi || !se) return std::nullopt;
  // WallTime counts nanoseconds in 64 bits (1678 to 2262): stay well inside, or the arithmetic
  // below would overflow (a silence "until 1500" lasted until 2084).
  if (*y < kMinYear || *y > kMaxYear) return std::nullopt;
  const year_month_day ymd{year(*y), month(static_cast<unsigned>(*mo)),
                           day(static_cast<unsigned>(*d))};
  if (!ymd.ok() || *h > 23 || *mi > 59 || *se > 60) return std::nullopt;
  std::size_t i = 19;
  std::int64_t frac_ns = 0;
  if (i < s.size() && s[i] == '.') {
    std::int64_t scale = 100'000'000;
    ++i;
    const std::size_t start = i;
    for (; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i) {
      frac_ns += (s[i] - '0') * scale;
      scale /= 10;
    }
    if (i == start) return std::nullopt;
  }
  std::int64_t offset_s = 0;
  if (i < s.size() && (s[i] == 'Z' || s[i] == 'z')) {
    ++i;
  } else if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
    auto oh = num(i + 1, 2), om = num(i + 4, 2);
    if (!oh || !om || i + 3 >= s.size() || s[i + 3] != ':' || *oh > 23 || *om > 59)
      return std::nullopt;
    offset_s = (*oh * 3600 + *om * 60) * (s[i] == '-' ? -1 : 1);
    i += 6;
  } else {
    return std::nullopt;
  }
  if (i != s.size()) return std::nullopt;
  const auto t = sys_days(ymd) + hours(*h) + minutes(*mi) + seconds(*se) - seconds(offset_s);
  return WallTime(duration_cast<WallTime::duration>(t.time_since_epoch() + nanoseconds(frac_ns)));
}

}  // namespace fleetgate
