// An upstream base URL (api_base) split into the parts the connection pool and request line need.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace fleetgate {

struct Url {
  bool tls = false;
  std::string host;        // without brackets for IPv6
  std::uint16_t port = 0;  // explicit or the scheme's default
  std::string base_path;   // "" or "/v1" — never ends with '/'

  // "host:port", with brackets for IPv6, as the Host header wants it.
  std::string authority() const;
};

// A listen address "HOST:PORT" ([v6]:PORT for IPv6); nullopt with `problem` set otherwise.
struct HostPort {
  std::string host;
  std::uint16_t port = 0;
};
std::optional<HostPort> parse_host_port(std::string_view text, std::string& problem);

// localhost, 127.0.0.0/8 and ::1; anything else (0.0.0.0, names) counts as reachable from outside.
bool is_loopback_host(std::string_view host);

// Accepts http:// and https:// URLs; nullopt with `problem` set otherwise.
std::optional<Url> parse_url(std::string_view text, std::string& problem);

}  // namespace fleetgate
