// The few reads every front end makes of a parsed JSON object: a string field ("" when absent or
// not a string) and a token count (whole, not negative, small enough to add up; 0 when absent);
// and the scratch space its parses live in.
#pragma once

#include "core/checked_cast.h"

#include <boost/json/monotonic_resource.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <cstddef>

#include <cstdint>
#include <string>
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

// `,"key":` and the value's JSON text, for bodies written as they are read.
inline void append_member(std::string& out, std::string_view key, const boost::json::value& v) {
  out += ",\"";
  out += key;
  out += "\":";
  out += boost::json::serialize(v);
}

// A parse that lives for one call: its nodes go into a buffer on the stack (heap blocks only for
// what does not fit) and are freed at once, none one by one. Values parsed here must not outlive
// it (copy out what is kept).
class JsonScratch {
 public:
  JsonScratch() = default;
  JsonScratch(const JsonScratch&) = delete;
  JsonScratch& operator=(const JsonScratch&) = delete;
  boost::json::value parse(std::string_view text, boost::system::error_code& ec) {
    return boost::json::parse(text, ec, &resource_);
  }
  // For values built here (containers constructed with it copy what goes in into it).
  boost::json::storage_ptr storage() { return boost::json::storage_ptr(&resource_); }

 private:
  alignas(std::max_align_t) unsigned char buffer_[4096];
  boost::json::monotonic_resource resource_{buffer_, sizeof buffer_};
};

}  // namespace fleetgate
