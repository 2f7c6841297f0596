// Watches a streaming client for as long as it lives: a client that hangs up aborts the
// backend request at once, even while the backend is silent. Each attempt points it at its own
// exchange; the shared state outlives a completion that arrives after the scope is gone.
#pragma once

#include "upstream/upstream_exchange.h"

#include <boost/asio/cancellation_signal.hpp>

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
    stop_.emit(asio::cancellation_type::all);
  }
  ClientWatchScope(const ClientWatchScope&) = delete;
  ClientWatchScope& operator=(const ClientWatchScope&) = delete;
  void watch(UpstreamExchange* exchange) {
    state_->exchange = exchange;
    if (exchange && state_->gone) exchange->abort();  // it left between two attempts
  }
  bool gone() const { return state_->gone; }

 private:
  std::shared_ptr<State> state_;
  asio::cancellation_signal stop_;
};

}  // namespace fleetgate
