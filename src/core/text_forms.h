// Small text forms shared by config and the APIs: UUIDs, Prometheus label values.
#pragma once

#include <cctype>
#include <string>
#include <string_view>

namespace fleetgate {

// Whether `needle` occurs in `hay`. For needles of 3 bytes or more, 16 places at a time are
// filtered by the needle's second and last bytes (SSE2) and only candidates are compared: on
// JSON that is several times faster than memmem (which builds a table on every call) and than
// string_view::find (memchr for the first byte, often '"', which is everywhere).
bool contains(std::string_view hay, std::string_view needle);

// 8-4-4-4-12 hex digits, either case.
inline bool is_uuid(std::string_view s) {
  if (s.size() != 36) return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash != (s[i] == '-')) return false;
    if (!dash && !std::isxdigit(static_cast<unsigned char>(s[i]))) return false;
  }
  return true;
}

// A name in a URL or a config list: 1 to 100 of lower-case letters, digits, '-', '_' or '.'.
inline bool is_slug(std::string_view s) {
  if (s.empty() || s.size() > 100) return false;
  for (char c : s)
    if (!(std::islower(static_cast<unsigned char>(c)) ||
          std::isdigit(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.'))
      return false;
  return true;
}

// A node's name (a host name will do): 1 to 100 of letters, digits, '-', '_' or '.'.
inline bool is_node_name(std::string_view s) {
  if (s.empty() || s.size() > 100) return false;
  for (char c : s)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.'))
      return false;
  return true;
}

// Text from elsewhere (names, reasons, backends' messages) made safe for a terminal: control
// characters (ESC and its sequences included) and C1 controls become '?', bytes that are not
// UTF-8 become U+FFFD, line breaks a space.
std::string printable(std::string_view s);

// The same, also escaped for a Markdown table cell that may be shown as HTML: the characters
// | * _ ` [ ] and backslash are backslash-escaped, and < > & become entities.
std::string markdown_text(std::string_view s);

// A label value as Prometheus' text format wants it: \\, \" and \n escaped.
inline std::string prometheus_escape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

}  // namespace fleetgate
