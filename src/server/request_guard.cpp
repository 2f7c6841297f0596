#include "server/request_guard.h"

#include "server/client_connection.h"

#include <boost/asio/ip/address.hpp>

#include <boost/beast/core/string.hpp>

#include <algorithm>

namespace fleetgate {

namespace {

// "host:port", "[v6]:port" or "host" -> the host, without brackets.
std::string_view host_part(std::string_view authority) {
  if (authority.starts_with('[')) {
    const auto close = authority.find(']');
    return close == std::string_view::npos ? authority : authority.substr(1, close - 1);
  }
  const auto colon = authority.rfind(':');
  if (colon != std::string_view::npos && authority.find(':') == colon)
    return authority.substr(0, colon);
  return authority;
}

// localhost, or a loopback address written as one (127.0.0.1.evil.example is a name).
bool loopback_name(std::string_view h) {
  if (boost::beast::iequals(h, "localhost")) return true;
  char text[64];  // no allocation: this runs on every request while loopback is trusted
  if (h.size() >= sizeof text) return false;
  h.copy(text, h.size());
  text[h.size()] = '\0';
  boost::system::error_code ec;
  const auto a = boost::asio::ip::make_address(text, ec);
  return !ec && is_loopback_address(a);
}

}  // namespace

bool host_allowed(std::string_view host, const GuardSettings& settings) {
  if (host.empty()) return true;
  const std::string_view h = host_part(host);
  if (loopback_name(h) || boost::beast::iequals(h, settings.listen_host)) return true;
  return std::any_of(settings.allowed_hosts.begin(), settings.allowed_hosts.end(),
                     [&](const std::string& a) { return boost::beast::iequals(h, a); });
}

bool cross_site(const Request& req) {
  if (req.fetch_site == "cross-site" || req.fetch_site == "same-site") return true;
  if (!req.has_origin) return false;
  std::string_view origin = req.origin;  // "http://host:port" (or "null")
  const auto scheme = origin.find("://");
  if (scheme == std::string_view::npos) return true;
  origin.remove_prefix(scheme + 3);
  return !boost::beast::iequals(origin, req.host);
}

bool is_json_type(std::string_view content_type) {
  std::string_view t = content_type.substr(0, content_type.find(';'));
  while (!t.empty() && t.back() == ' ') t.remove_suffix(1);
  if (boost::beast::iequals(t, "application/json")) return true;
  return t.size() > 17 && boost::beast::iequals(t.substr(0, 12), "application/") &&
         boost::beast::iequals(t.substr(t.size() - 5), "+json");
}

std::optional<Error> guard(const Request& req, const GuardSettings& settings, bool writes,
                           bool trusting_loopback, bool json_body) {
  if (writes && cross_site(req))
    return Error(Errc::Forbidden,
                 "Cross-site requests are refused: this endpoint changes state, and the request "
                 "came from another site's page.");
  if (trusting_loopback && !host_allowed(req.host, settings))
    return Error(Errc::Forbidden,
                 "Host '" + req.host +
                     "' is not this server's (a DNS rebinding attempt?); add it to "
                     "fleetgate.allowed_hosts if it is, or set a key.");
  const bool has_body = req.content_length.value_or(0) > 0 || req.chunked;
  if (json_body && writes && has_body && !is_json_type(req.content_type))
    return Error(Errc::UnsupportedMediaType,
                 "The body must be JSON, sent with 'Content-Type: application/json'.");
  return std::nullopt;
}

}  // namespace fleetgate
