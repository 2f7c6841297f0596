#include "core/units.h"

#include <cctype>
#include <charconv>
#include <cmath>

namespace fleetgate {
namespace {

struct NumberAndSuffix {
  double number;
  std::string_view suffix;
};

std::optional<NumberAndSuffix> split_number(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front())))
    text.remove_prefix(1);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back())))
    text.remove_suffix(1);
  if (text.empty()) return std::nullopt;
  double value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || ptr == text.data()) return std::nullopt;
  if (!std::isfinite(value) || value < 0) return std::nullopt;
  std::string_view suffix(ptr, static_cast<std::size_t>(text.data() + text.size() - ptr));
  while (!suffix.empty() && suffix.front() == ' ') suffix.remove_prefix(1);
  return NumberAndSuffix{value, suffix};
}

}  // namespace

std::optional<Duration> parse_duration(std::string_view text) {
  auto parts = split_number(text);
  if (!parts) return std::nullopt;
  double ms_per_unit = 0;
  if (parts->suffix.empty() || parts->suffix == "s")
    ms_per_unit = 1000;
  else if (parts->suffix == "ms")
    ms_per_unit = 1;
  else if (parts->suffix == "m")
    ms_per_unit = 60'000;
  else if (parts->suffix == "h")
    ms_per_unit = 3'600'000;
  else if (parts->suffix == "d")
    ms_per_unit = 86'400'000;
  else
    return std::nullopt;
  double ms = parts->number * ms_per_unit;
  if (ms > 1e13) return std::nullopt;
  return Duration(static_cast<Duration::rep>(std::llround(ms)));
}

std::optional<std::uint64_t> parse_size(std::string_view text) {
  auto parts = split_number(text);
  if (!parts) return std::nullopt;
  double mult = 0;
  const std::string_view s = parts->suffix;
  if (s.empty() || s == "B")
    mult = 1;
  else if (s == "KB" || s == "kB")
    mult = 1e3;
  else if (s == "MB")
    mult = 1e6;
  else if (s == "GB")
    mult = 1e9;
  else if (s == "KiB")
    mult = 1024.0;
  else if (s == "MiB")
    mult = 1024.0 * 1024;
  else if (s == "GiB")
    mult = 1024.0 * 1024 * 1024;
  else
    return std::nullopt;
  double bytes = parts->number * mult;
  if (bytes > 1e15) return std::nullopt;
  return static_cast<std::uint64_t>(std::llround(bytes));
}

std::string format_duration(Duration d) {
  auto ms = d.count();
  if (ms % 86'400'000 == 0 && ms != 0) return std::to_string(ms / 86'400'000) + "d";
  if (ms % 3'600'000 == 0 && ms != 0) return std::to_string(ms / 3'600'000) + "h";
  if (ms % 60'000 == 0 && ms != 0) return std::to_string(ms / 60'000) + "m";
  if (ms % 1000 == 0) return std::to_string(ms / 1000) + "s";
  return std::to_string(ms) + "ms";
}

}  // namespace fleetgate
