#include "openai/multipart.h"

#include <cctype>

namespace fleetgate {

namespace {

bool iequals_prefix(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(s[i])) != prefix[i]) return false;
  return true;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// The name="…" of a Content-Disposition value, and whether it has a filename.
std::string_view disposition_name(std::string_view value, bool& is_file) {
  is_file = value.find("filename=") != std::string_view::npos;
  const auto at = value.find("name=\"");
  if (at == std::string_view::npos || (at > 0 && value[at - 1] != ' ' && value[at - 1] != ';'))
    return {};
  const auto start = at + 6;
  const auto end = value.find('"', start);
  if (end == std::string_view::npos) return {};
  return value.substr(start, end - start);
}

}  // namespace

std::string_view multipart_boundary(std::string_view content_type) {
  if (!iequals_prefix(content_type, "multipart/form-data")) return {};
  const auto at = content_type.find("boundary=");
  if (at == std::string_view::npos) return {};
  std::string_view b = content_type.substr(at + 9);
  b = b.substr(0, b.find(';'));
  b = trim(b);
  if (b.size() >= 2 && b.front() == '"' && b.back() == '"') b = b.substr(1, b.size() - 2);
  if (b.empty() || b.size() > 70) return {};  // RFC 2046: 1 to 70 characters
  return b;
}

Result<FormField> find_form_field(std::string_view content_type, std::string_view body,
                                  std::string_view name) {
  const std::string_view boundary = multipart_boundary(content_type);
  if (boundary.empty())
    return Error(Errc::BadRequest,
                 "The upload must be multipart/form-data with a boundary (Content-Type).");
  const std::string delimiter = "--" + std::string(boundary);
  std::size_t at = body.find(delimiter);
  if (at == std::string_view::npos)
    return Error(Errc::BadRequest, "The multipart body has no part.");
  while (true) {
    at += delimiter.size();
    if (body.substr(at, 2) == "--") break;  // the closing delimiter
    if (body.substr(at, 2) != "\r\n")
      return Error(Errc::BadRequest, "The multipart body is not well formed.");
    at += 2;
    const auto head_end = body.find("\r\n\r\n", at);
    if (head_end == std::string_view::npos)
      return Error(Errc::BadRequest, "A multipart part has no end to its headers.");
    std::string_view part_name;
    bool is_file = false;
    for (std::string_view headers = body.substr(at, head_end - at); !headers.empty();) {
      const auto eol = headers.find("\r\n");
      const std::string_view line = headers.substr(0, eol);
      if (iequals_prefix(line, "content-disposition:"))
        part_name = disposition_name(line.substr(20), is_file);
      if (eol == std::string_view::npos) break;
      headers.remove_prefix(eol + 2);
    }
    const std::size_t value_start = head_end + 4;
    const std::string next = "\r\n" + delimiter;
    const auto value_end = body.find(next, value_start);
    if (value_end == std::string_view::npos)
      return Error(Errc::BadRequest, "A multipart part does not end.");
    if (part_name == name && !is_file) {
      FormField f{Span{value_start, value_end - value_start},
                  std::string(body.substr(value_start, value_end - value_start))};
      return f;
    }
    at = value_end + 2;
  }
  return Error(Errc::BadRequest,
               "Missing required parameter: '" + std::string(name) + "' (a form field).",
               std::string(name));
}

}  // namespace fleetgate
