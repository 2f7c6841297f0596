// Appends a string as a JSON string literal (quotes included); shared by the API and the access
// log. The result is always valid UTF-8: bytes that are not become U+FFFD.
#pragma once

#include <string>
#include <string_view>

namespace fleetgate {

void append_json_string(std::string& out, std::string_view s);

// The length of the well-formed UTF-8 sequence at s[i] (1 to 4), or 0 when there is none.
std::size_t utf8_sequence(std::string_view s, std::size_t i);
bool is_utf8(std::string_view s);

inline std::string json_string(std::string_view s) {
  std::string out;
  append_json_string(out, s);
  return out;
}

}  // namespace fleetgate
