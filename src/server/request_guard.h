// What keeps a browser from reaching a gateway that trusts loopback clients: cross-site
// requests (Origin, Sec-Fetch-Site) and DNS rebinding (a Host that is not this server). Pure.
#pragma once

#include "core/error.h"
#include "server/request.h"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace fleetgate {

struct GuardSettings {
  std::string listen_host;                 // fleetgate.listen's host
  std::vector<std::string> allowed_hosts;  // fleetgate.allowed_hosts
};

// Whether a Host header names this server: its listen address, localhost, a loopback address
// or an allowed host (any port). No Host at all (HTTP/1.0 tools) is not a browser: allowed.
bool host_allowed(std::string_view host, const GuardSettings& settings);
// Whether a browser sent this from another site: an Origin that is not the Host's own, or
// Sec-Fetch-Site cross-site or same-site (another port is another site here).
bool cross_site(const Request& req);
// application/json or application/<something>+json, parameters allowed.
bool is_json_type(std::string_view content_type);

// What an endpoint that changes state, or trusts loopback, refuses before its body is read:
// a cross-site request; while `trusting_loopback`, a Host that is not this server's; a body
// that is not JSON when `json_body`.
std::optional<Error> guard(const Request& req, const GuardSettings& settings, bool writes,
                           bool trusting_loopback, bool json_body);

}  // namespace fleetgate
