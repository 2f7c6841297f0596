// Appends a string as a JSON string literal (quotes included); shared by the API and the access
// log.
#pragma once

#include <string>
#include <string_view>

namespace fleetgate {

void append_json_string(std::string& out, std::string_view s);

inline std::string json_string(std::string_view s) {
  std::string out;
  append_json_string(out, s);
  return out;
}

}  // namespace fleetgate
