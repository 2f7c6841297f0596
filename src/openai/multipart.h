// The one field the gateway reads from a multipart/form-data upload (the audio endpoints'
// `model`), found where it lies in the body so that only its value is replaced on the way to the
// backend and the rest (the audio file) goes out untouched. Pure.
#pragma once

#include "core/error.h"
#include "openai/request_scan.h"

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

}  // namespace fleetgate
