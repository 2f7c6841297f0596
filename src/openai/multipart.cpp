#include "openai/multipart.h"

#include <algorithm>
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
  FormFieldFinder finder(content_type, name);
  auto found = finder.feed(body, true);
  if (!found) return found.error();
  return std::move(**found);  // a complete body gives the field or an error
}

FormFieldFinder::FormFieldFinder(std::string_view content_type, std::string_view name)
    : name_(name) {
  const std::string_view boundary = multipart_boundary(content_type);
  typed_ = !boundary.empty();
  delimiter_ = "--" + std::string(boundary);
  next_ = "\r\n" + delimiter_;
}

std::size_t FormFieldFinder::resume(std::string_view body, std::string_view needle,
                                    std::size_t from) {
  // The needle may begin in the last needle.size() - 1 bytes and end in what is to come.
  return std::max(from, body.size() >= needle.size() ? body.size() - needle.size() + 1 : 0);
}

Result<std::optional<FormField>> FormFieldFinder::feed(std::string_view body, bool complete) {
  if (!typed_)
    return Error(Errc::BadRequest,
                 "The upload must be multipart/form-data with a boundary (Content-Type).");
  const auto more = [&](const char* problem) -> Result<std::optional<FormField>> {
    if (complete) return Error(Errc::BadRequest, problem);
    return std::optional<FormField>();
  };
  while (true) {
    switch (stage_) {
      case Stage::Preamble: {
        const auto found = body.find(delimiter_, scan_);
        if (found == std::string_view::npos) {
          scan_ = resume(body, delimiter_, scan_);
          return more("The multipart body has no part.");
        }
        at_ = found + delimiter_.size();
        stage_ = Stage::PartStart;
        break;
      }
      case Stage::PartStart: {
        if (body.size() < at_ + 2) return more("The multipart body is not well formed.");
        const std::string_view after = body.substr(at_, 2);
        if (after == "--")  // the closing delimiter
          return Error(Errc::BadRequest,
                       "Missing required parameter: '" + name_ + "' (a form field).", name_);
        if (after != "\r\n")
          return Error(Errc::BadRequest, "The multipart body is not well formed.");
        at_ += 2;
        scan_ = at_;
        stage_ = Stage::Headers;
        break;
      }
      case Stage::Headers: {
        const auto head_end = body.find("\r\n\r\n", scan_);
        if (head_end == std::string_view::npos) {
          scan_ = resume(body, "\r\n\r\n", scan_);
          return more("A multipart part has no end to its headers.");
        }
        std::string_view part_name;
        bool is_file = false;
        for (std::string_view headers = body.substr(at_, head_end - at_); !headers.empty();) {
          const auto eol = headers.find("\r\n");
          const std::string_view line = headers.substr(0, eol);
          if (iequals_prefix(line, "content-disposition:"))
            part_name = disposition_name(line.substr(20), is_file);
          if (eol == std::string_view::npos) break;
          headers.remove_prefix(eol + 2);
        }
        wanted_ = part_name == name_ && !is_file;
        at_ = head_end + 4;  // the value's start
        scan_ = at_;
        stage_ = Stage::Value;
        break;
      }
      case Stage::Value: {
        const auto value_end = body.find(next_, scan_);
        if (value_end == std::string_view::npos) {
          scan_ = resume(body, next_, scan_);
          return more("A multipart part does not end.");
        }
        if (wanted_)
          return std::optional<FormField>(FormField{
              Span{at_, value_end - at_}, std::string(body.substr(at_, value_end - at_))});
        at_ = value_end + next_.size();
        stage_ = Stage::PartStart;
        break;
      }
    }
  }
}

}  // namespace fleetgate
