// The few reads every front end makes of a parsed JSON object: a string field ("" when absent or
// not a string) and a token count (whole, not negative, small enough to add up; 0 when absent).
#pragma once

#include "core/checked_cast.h"

#include <boost/json/object.hpp>

#include <cstdint>
#include <string_view>

namespace fleetgate {

inline std::string_view string_at(const boost::json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  return v && v->is_string() ? std::string_view(v->as_string()) : std::string_view();
}

inline std::uint64_t count_at(const boost::json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  if (!v || !v->is_number()) return 0;
  return clamp_to_integer<std::uint64_t>(v->to_number<double>(), 0, std::uint64_t{1} << 48);
}

}  // namespace fleetgate
