// What a server does with each request; one instance per worker thread, so it may keep
// per-thread state (connection pools) without locks.
#pragma once

#include "server/client_connection.h"
#include "server/request.h"

#include <boost/asio/awaitable.hpp>

#include <optional>

namespace fleetgate {

class RequestHandler {
 public:
  virtual ~RequestHandler() = default;
  // Once the head is in, before the body is read: an error refuses the request at once (a
  // missing or wrong key, a cross-site or rebinding attempt), so nothing is buffered for it.
  virtual std::optional<Error> check_head(const Request&, const Peer&) const {
    return std::nullopt;
  }
  // Whether the handler reads this request's body itself (ClientConnection::read_body_some), as
  // it arrives, rather than getting it whole; asked only of bodies not in yet.
  virtual bool streams_body(const Request&) const { return false; }
  // Writes exactly one response on `conn` (or closes it when that is impossible).
  virtual asio::awaitable<void> handle(ClientConnection& conn, Request& req) = 0;
};

}  // namespace fleetgate
