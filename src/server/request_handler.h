// What a server does with each request; one instance per worker thread, so it may keep
// per-thread state (connection pools) without locks.
#pragma once

#include "server/client_connection.h"
#include "server/request.h"

#include <boost/asio/awaitable.hpp>

namespace fleetgate {

class RequestHandler {
 public:
  virtual ~RequestHandler() = default;
  // Writes exactly one response on `conn` (or closes it when that is impossible).
  virtual asio::awaitable<void> handle(ClientConnection& conn, Request& req) = 0;
};

}  // namespace fleetgate
