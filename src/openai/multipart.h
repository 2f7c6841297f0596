// The one field the gateway reads from a multipart/form-data upload (the audio endpoints'
// `model`), found where it lies in the body so that only its value is replaced on the way to the
// backend and the rest (the audio file) goes out untouched. Pure.
#pragma once

#include "core/error.h"
#include "openai/request_scan.h"

#include <optional>
#include <string>
#include <string_view>

namespace fleetgate {

struct FormField {
  Span value;        // where the value lies in the body
  std::string text;  // the value
};

// The boundary of a "multipart/form-data; boundary=…" content type; empty when it has none.
std::string_view multipart_boundary(std::string_view content_type);

// The first part named `name` (a plain field, not a file) of a multipart/form-data body.
// BadRequest when the content type is not multipart/form-data, the body is not well formed, or
// the field is missing.
Result<FormField> find_form_field(std::string_view content_type, std::string_view body,
                                  std::string_view name);

// The same, for a body that arrives in pieces: each feed() gets all of the body so far (it only
// grows) and resumes where the last one stopped, so that the whole search reads each byte about
// once. Nothing while the field may still come; the same answer at every split of the body.
class FormFieldFinder {
 public:
  FormFieldFinder(std::string_view content_type, std::string_view name);
  Result<std::optional<FormField>> feed(std::string_view body, bool complete);

 private:
  enum class Stage { Preamble, PartStart, Headers, Value };
  // Where a search for `needle` that found nothing in `body` resumes next time.
  static std::size_t resume(std::string_view body, std::string_view needle, std::size_t from);

  std::string name_;
  std::string delimiter_;  // "--" boundary
  std::string next_;       // CRLF "--" boundary: the end of a part's value
  bool typed_ = false;     // the content type had a boundary
  Stage stage_ = Stage::Preamble;
  std::size_t at_ = 0;    // the current stage's start
  std::size_t scan_ = 0;  // where its search resumes
  bool wanted_ = false;   // the current part is the field
};

}  // namespace fleetgate
