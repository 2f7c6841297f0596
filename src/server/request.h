// What the gateway keeps of a client request: the few head fields it acts on, and the body.
#pragma once

#include <boost/beast/http/verb.hpp>

#include <cstdint>
#include <optional>
#include <string>

namespace fleetgate {

struct Request {
  boost::beast::http::verb method = boost::beast::http::verb::unknown;
  std::string target;
  std::string authorization;
  std::string api_key;  // x-api-key, as Anthropic's clients send their key
  // Anthropic's version and beta headers, forwarded to anthropic/ deployments ("" when absent).
  std::string anthropic_version;
  std::string anthropic_beta;
  std::string request_id;  // x-request-id, echoed or generated
  std::string host;        // Host, for the DNS-rebinding check
  std::string origin;      // Origin, for the cross-site check; empty when absent
  std::string content_type;
  std::string fetch_site;  // Sec-Fetch-Site, which browsers send with every request
  std::string body;
  std::optional<std::uint64_t> content_length;
  bool chunked = false;
  unsigned version = 11;
  bool keep_alive = true;
  bool expect_continue = false;
  bool has_origin = false;  // "Origin: null" counts as present

  // Keeps each string's capacity (the body's up to BodyPool's small size) for the next request.
  void clear() {
    method = boost::beast::http::verb::unknown;
    target.clear();
    authorization.clear();
    api_key.clear();
    anthropic_version.clear();
    anthropic_beta.clear();
    request_id.clear();
    host.clear();
    origin.clear();
    content_type.clear();
    fetch_site.clear();
    body.clear();
    content_length.reset();
    chunked = false;
    version = 11;
    keep_alive = true;
    expect_continue = false;
    has_origin = false;
  }
  // The target without its query string.
  std::string_view path() const {
    std::string_view t = target;
    return t.substr(0, t.find('?'));
  }
};

}  // namespace fleetgate
