#include "config/url.h"

#include <charconv>

namespace fleetgate {

std::string Url::authority() const {
  std::string out = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  const bool default_port = (tls && port == 443) || (!tls && port == 80);
  if (!default_port) out += ":" + std::to_string(port);
  return out;
}

std::optional<Url> parse_url(std::string_view text, std::string& problem) {
  Url url;
  if (text.starts_with("http://")) {
    text.remove_prefix(7);
    url.port = 80;
  } else if (text.starts_with("https://")) {
    text.remove_prefix(8);
    url.tls = true;
    url.port = 443;
  } else {
    problem = "must start with http:// or https://";
    return std::nullopt;
  }
  const auto slash = text.find('/');
  std::string_view authority = text.substr(0, slash);
  std::string_view path = slash == std::string_view::npos ? std::string_view{} : text.substr(slash);
  if (path.find_first_of("?#") != std::string_view::npos) {
    problem = "must not have a query or fragment";
    return std::nullopt;
  }
  if (authority.find('@') != std::string_view::npos) {
    problem = "must not carry credentials; use api_key";
    return std::nullopt;
  }
  std::string_view port_text;
  if (authority.starts_with("[")) {
    const auto close = authority.find(']');
    if (close == std::string_view::npos) {
      problem = "unterminated IPv6 address";
      return std::nullopt;
    }
    url.host = std::string(authority.substr(1, close - 1));
    std::string_view rest = authority.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') {
        problem = "unexpected text after IPv6 address";
        return std::nullopt;
      }
      port_text = rest.substr(1);
    }
  } else {
    const auto colon = authority.rfind(':');
    url.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) port_text = authority.substr(colon + 1);
  }
  if (url.host.empty()) {
    problem = "has no host";
    return std::nullopt;
  }
  if (!port_text.empty() || authority.ends_with(":")) {
    unsigned value = 0;
    auto [ptr, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), value);
    if (ec != std::errc{} || ptr != port_text.data() + port_text.size() || value == 0 ||
        value > 65535) {
      problem = "has an invalid port";
      return std::nullopt;
    }
    url.port = static_cast<std::uint16_t>(value);
  }
  while (path.ends_with("/")) path.remove_suffix(1);
  url.base_path = std::string(path);
  return url;
}

std::optional<HostPort> parse_host_port(std::string_view text, std::string& problem) {
  // Port 0 (pick a free one) is fine for listening, never for a backend URL.
  const bool ephemeral = text.ends_with(":0");
  std::string probe(text);
  if (ephemeral) probe.back() = '1';
  std::string url_problem;
  auto url = parse_url("http://" + probe, url_problem);
  if (!url || !url->base_path.empty() || text.find(':') == std::string_view::npos ||
      text.ends_with(":")) {
    problem = "must be HOST:PORT, such as 127.0.0.1:4000";
    return std::nullopt;
  }
  return HostPort{url->host, ephemeral ? std::uint16_t{0} : url->port};
}

bool is_loopback_host(std::string_view host) {
  if (host == "localhost" || host == "::1") return true;
  return host.starts_with("127.") &&
         host.find_first_not_of("0123456789.") == std::string_view::npos;
}

}  // namespace fleetgate
