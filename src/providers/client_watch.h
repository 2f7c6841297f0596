// Watches a streaming client for as long as it lives: a client that hangs up aborts the
// backend request at once, even while the backend is silent. Each attempt points it at its own
// exchange; the shared state outlives a completion that arrives after the scope is gone.
#pragma once

#include "upstream/upstream_exchange.h"

#include <memory>

namespace fleetgate {

class ClientWatchScope {
 public:
  struct State {
    UpstreamExchange* exchange = nullptr;
    bool gone = false;
  };

  explicit ClientWatchScope(tcp::socket& socket);
  ~ClientWatchScope() {
    state_->exchange = nullptr;
    // The watch is the only operation pending on the client's socket while the scope lives
    // (reads are done, writes complete before the scope ends): cancelling the socket's
    // operations ends it, without a cancellation slot's memory per stream.
    boost::system::error_code ignored;
    socket_.cancel(ignored);
  }
  ClientWatchScope(const ClientWatchScope&) = delete;
  ClientWatchScope& operator=(const ClientWatchScope&) = delete;
  void watch(UpstreamExchange* exchange) {
    state_->exchange = exchange;
    if (exchange && state_->gone) exchange->abort();  // it left between two attempts
  }
  bool gone() const { return state_->gone; }

 private:
  tcp::socket& socket_;
  std::shared_ptr<State> state_;
};

}  // namespace fleetgate
