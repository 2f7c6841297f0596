// A small blocking HTTP/1.1 client (http or https, one request per connection) for the CLI,
// the agent and alert notifications; never used on an I/O thread. Every wait is bounded by
// `timeout`: name resolution and connecting together, then each send and receive.
#pragma once

#include "config/url.h"
#include "core/error.h"
#include "core/units.h"

#include <atomic>
#include <optional>
#include <string>

namespace fleetgate {

// The body of a 2xx answer, or why there was none (other statuses carry their body). `target`
// is appended to the URL's path ("/" when both are empty); a non-empty `body` is sent as JSON.
// `abandon`, when given, ends the call early once it becomes true (a long poll at shutdown);
// `status`, when given, gets the answer's status (0: none came).
Result<std::string> http_call(const Url& url, const std::string& method, const std::string& target,
                              const std::string& body, const std::optional<std::string>& token,
                              Duration timeout, const std::atomic<bool>* abandon = nullptr,
                              int* status = nullptr);

}  // namespace fleetgate
