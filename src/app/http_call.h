// A small blocking HTTP/1.1 client for the CLI and the agent (plain http, one request per
// connection), every wait bounded by `timeout`. Not for the gateway's hot path.
#pragma once

#include "config/url.h"
#include "core/error.h"
#include "core/units.h"

#include <optional>
#include <string>

namespace fleetgate {

// The body of a 2xx answer, or why there was none (including the status and body of others).
Result<std::string> http_call(const Url& url, const std::string& method, const std::string& target,
                              const std::string& body, const std::optional<std::string>& token,
                              Duration timeout);

}  // namespace fleetgate
