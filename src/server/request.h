// What the gateway keeps of a client request: the few head fields it acts on, and the body.
#pragma once

#include <boost/beast/http/verb.hpp>

#include <string>

namespace fleetgate {

struct Request {
  boost::beast::http::verb method = boost::beast::http::verb::unknown;
  std::string target;
  std::string authorization;
  std::string request_id;  // x-request-id, echoed or generated
  std::string body;
  unsigned version = 11;
  bool keep_alive = true;
  bool expect_continue = false;

  void clear() {
    method = boost::beast::http::verb::unknown;
    target.clear();
    authorization.clear();
    request_id.clear();
    body.clear();  // keeps its capacity for the next request on the connection
    version = 11;
    keep_alive = true;
    expect_continue = false;
  }
  // The target without its query string.
  std::string_view path() const {
    std::string_view t = target;
    return t.substr(0, t.find('?'));
  }
};

}  // namespace fleetgate
