// One validating pass over a request body that records only what routing needs (scan, don't parse).
#pragma once

#include "core/error.h"

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace fleetgate {

struct Span {
  std::size_t offset = 0;
  std::size_t size = 0;
};

struct RequestFields {
  std::optional<Span> model;  // the whole string token of the top-level "model", quotes included
  std::string model_name;     // its decoded value
  bool stream = false;
  bool include_usage = false;       // stream_options.include_usage
  bool has_stream_options = false;  // a top-level "stream_options", whatever it says
  bool has_messages = false;        // top-level "messages" is an array
  bool has_prompt = false;
  bool has_input = false;
};

// Validates the whole body as JSON (RFC 8259, UTF-8, nesting depth ≤ 256) and requires a top-level
// object; returns a BadRequest error naming the byte offset otherwise.
Result<RequestFields> scan_request(std::string_view body);

}  // namespace fleetgate
