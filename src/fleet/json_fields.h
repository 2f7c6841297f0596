// Typed fields of a JSON object parsed once at an edge (heartbeats, snapshots, silences): a
// missing or null field is absent, a field of the wrong type records a problem (the first one
// found is kept) and reads as absent.
#pragma once

#include "core/wall_time.h"

#include <boost/json/value.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace fleetgate {

class JsonFields {
 public:
  std::optional<double> number(const boost::json::object& o, std::string_view key);
  std::optional<bool> boolean(const boost::json::object& o, std::string_view key);
  std::string text(const boost::json::object& o, std::string_view key);  // "" when absent
  std::optional<WallTime> time(const boost::json::object& o, std::string_view key);  // RFC 3339
  const boost::json::array* list(const boost::json::object& o, std::string_view key);
  const boost::json::object* object(const boost::json::object& o, std::string_view key);

  const std::string& problem() const { return problem_; }
  bool ok() const { return problem_.empty(); }

 private:
  const boost::json::value* field(const boost::json::object& o, std::string_view key);
  void wrong(std::string_view key, const char* what);

  std::string problem_;
};

}  // namespace fleetgate
