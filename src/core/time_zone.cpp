#include "core/time_zone.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>

namespace fleetgate {

namespace {

std::int64_t be(const unsigned char* p, int bytes) {
  std::uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v = (v << 8) | p[i];
  if (bytes == 4) return static_cast<std::int32_t>(static_cast<std::uint32_t>(v));
  return static_cast<std::int64_t>(v);
}

constexpr std::uintmax_t kMaxTzif = 1 << 20;  // zone files are a few KiB

struct Counts {
  std::int64_t isut, isstd, leap, time, type, chars;
};

bool read_counts(const std::string& data, std::size_t at, Counts& c) {
  if (data.size() < at + 44 || data.compare(at, 4, "TZif") != 0) return false;
  const auto* p = reinterpret_cast<const unsigned char*>(data.data() + at + 20);
  c = {be(p, 4), be(p + 4, 4), be(p + 8, 4), be(p + 12, 4), be(p + 16, 4), be(p + 20, 4)};
  return c.isut >= 0 && c.isstd >= 0 && c.leap >= 0 && c.time >= 0 && c.type > 0 && c.chars >= 0 &&
         c.time < 100000 && c.type < 256;
}

std::size_t block_size(const Counts& c, int time_bytes) {
  return static_cast<std::size_t>(c.time * time_bytes + c.time + c.type * 6 + c.chars +
                                  c.leap * (time_bytes + 4) + c.isstd + c.isut);
}

std::optional<std::int32_t> fixed_offset(const std::string& name) {
  // "+05:30", "-08", "+0100"
  if (name.size() < 3 || (name[0] != '+' && name[0] != '-')) return std::nullopt;
  std::string digits;
  for (std::size_t i = 1; i < name.size(); ++i) {
    if (name[i] == ':' && i == 3) continue;
    if (!std::isdigit(static_cast<unsigned char>(name[i]))) return std::nullopt;
    digits += name[i];
  }
  if (digits.size() != 2 && digits.size() != 4) return std::nullopt;
  const int hours = std::stoi(digits.substr(0, 2));
  const int minutes = digits.size() == 4 ? std::stoi(digits.substr(2)) : 0;
  if (hours > 14 || minutes > 59) return std::nullopt;
  const std::int32_t secs = hours * 3600 + minutes * 60;
  return name[0] == '-' ? -secs : secs;
}

}  // namespace

std::optional<TimeZone> TimeZone::load(const std::string& name, std::string& problem,
                                       const std::string& zoneinfo_dir) {
  TimeZone tz;
  tz.name_ = name;
  if (name == "UTC" || name == "Etc/UTC" || name == "Z") return tz;
  if (auto off = fixed_offset(name)) {
    tz.initial_offset_ = *off;
    return tz;
  }
  if (name.empty() || name.front() == '/' || name.find("..") != std::string::npos) {
    problem = "unknown time zone '" + name + "'";
    return std::nullopt;
  }
  const std::string path = zoneinfo_dir + "/" + name;
  std::error_code ec;
  // A directory ("Europe") or a device is no zone: reading one throws in libstdc++.
  if (!std::filesystem::is_regular_file(path, ec) ||
      std::filesystem::file_size(path, ec) > kMaxTzif) {
    problem = "unknown time zone '" + name + "' (not a zone file in " + zoneinfo_dir +
              "; is the tzdata package installed?)";
    return std::nullopt;
  }
  std::string data;
  try {
    std::ifstream in(path, std::ios::binary);
    data.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  } catch (const std::exception& e) {
    problem = "time zone file for '" + name + "' cannot be read: " + e.what();
    return std::nullopt;
  }
  Counts c1{};
  if (!read_counts(data, 0, c1) || data[4] < '2') {
    problem = "time zone file for '" + name + "' is not TZif version 2 or later";
    return std::nullopt;
  }
  const std::size_t second = 44 + block_size(c1, 4);
  Counts c{};
  if (!read_counts(data, second, c) || data.size() < second + 44 + block_size(c, 8)) {
    problem = "time zone file for '" + name + "' is truncated";
    return std::nullopt;
  }
  const auto* p = reinterpret_cast<const unsigned char*>(data.data() + second + 44);
  const auto* idx = p + c.time * 8;
  const auto* types = idx + c.time;
  std::vector<std::int32_t> type_offset(static_cast<std::size_t>(c.type));
  std::optional<std::int32_t> first_standard;
  for (std::int64_t i = 0; i < c.type; ++i) {
    type_offset[static_cast<std::size_t>(i)] = static_cast<std::int32_t>(be(types + i * 6, 4));
    if (!first_standard && types[i * 6 + 4] == 0)
      first_standard = type_offset[static_cast<std::size_t>(i)];
  }
  tz.initial_offset_ = first_standard.value_or(type_offset[0]);
  for (std::int64_t i = 0; i < c.time; ++i) {
    const std::size_t type = idx[i];
    if (type >= type_offset.size()) {
      problem = "time zone file for '" + name + "' is corrupt";
      return std::nullopt;
    }
    tz.transitions_.push_back(be(p + i * 8, 8));
    tz.offsets_.push_back(type_offset[type]);
  }
  return tz;
}

std::int64_t TimeZone::offset_at(std::int64_t t) const {
  auto it = std::upper_bound(transitions_.begin(), transitions_.end(), t);
  if (it == transitions_.begin()) return initial_offset_;
  return offsets_[static_cast<std::size_t>(it - transitions_.begin() - 1)];
}

}  // namespace fleetgate
