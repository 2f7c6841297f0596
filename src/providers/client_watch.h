// Watches a streaming client for as long as it lives: a client that hangs up aborts the
// backend request, even while the backend is silent. Each attempt points it at its own
// exchange; the shared state outlives a completion that arrives after the scope is gone.
// The socket is watched from kWatchAfter on (one sweep tick later at most): most streams end
// before that, and watching costs a system call per stream. A client that left sooner is
// noticed by then, or by the first write that fails.
#pragma once

#include "net/deadline_sweeper.h"
#include "upstream/upstream_exchange.h"

#include <cstddef>
#include <memory>

namespace fleetgate {

class ClientWatchScope {
 public:
  static constexpr std::size_t kOpSpace = 256;
  struct State {
    UpstreamExchange* exchange = nullptr;
    bool gone = false;
    char peeked = 0;  // where the watch's peek puts a pipelined request's first byte
    // The peek's operation lives here: however many streams are watched at once, watching
    // allocates nothing (the state itself is one block per stream, as every stream has).
    bool op_in_use = false;
    alignas(std::max_align_t) unsigned char op[kOpSpace];
  };

  static constexpr std::chrono::milliseconds kWatchAfter{100};

  ClientWatchScope(tcp::socket& socket, DeadlineSweeper& sweeper);
  ~ClientWatchScope() {
    state_->exchange = nullptr;
    // The peek (if it started) is the only operation pending on the client's socket while the scope
    // lives (reads are done, writes complete before the scope ends): cancelling the socket's
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
  void peek();

  tcp::socket& socket_;
  std::shared_ptr<State> state_;
  DeadlineWatch start_;  // kWatchAfter from the scope's start: peek()
};

}  // namespace fleetgate
