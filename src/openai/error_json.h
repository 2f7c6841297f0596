// The one place that maps an Error to an HTTP status and OpenAI's error JSON.
#pragma once

#include "core/error.h"

#include <string>
#include <string_view>

namespace fleetgate {

struct HttpError {
  int status = 500;
  std::string body;  // {"error": {"message", "type", "param", "code"}}
};

HttpError render_error(const Error& e);

// OpenAI's error object; an empty param or code is rendered as null.
std::string error_json(std::string_view message, std::string_view type, std::string_view param,
                       std::string_view code);

}  // namespace fleetgate
