#include "providers/client_watch.h"

#include "net/io_token.h"

#include <boost/asio/bind_allocator.hpp>

namespace fleetgate {

namespace {

// Hands out the state's space for the peek's operation, the heap for anything else.
template <class T>
struct InStateAllocator {
  using value_type = T;
  ClientWatchScope::State* state;
  explicit InStateAllocator(ClientWatchScope::State* s) : state(s) {}
  template <class U>
  InStateAllocator(const InStateAllocator<U>& o) noexcept : state(o.state) {}  // NOLINT
  T* allocate(std::size_t n) {
    if (!state->op_in_use && n * sizeof(T) <= sizeof(state->op) &&
        alignof(T) <= alignof(std::max_align_t)) {
      state->op_in_use = true;
      return reinterpret_cast<T*>(state->op);
    }
    return HeapAllocator<T>().allocate(n);
  }
  void deallocate(T* p, std::size_t n) noexcept {
    if (reinterpret_cast<unsigned char*>(p) == state->op) {
      state->op_in_use = false;
      return;
    }
    HeapAllocator<T>().deallocate(p, n);
  }
  template <class U>
  bool operator==(const InStateAllocator<U>& o) const noexcept {
    return state == o.state;
  }
};

}  // namespace

ClientWatchScope::ClientWatchScope(tcp::socket& socket, DeadlineSweeper& sweeper)
    : socket_(socket), state_(std::make_shared<State>()), start_(sweeper, [this] { peek(); }) {
  start_.arm(kWatchAfter);
}

// A one-byte peek, not a wait: for a wait Asio re-arms the socket in epoll (an
// epoll_ctl); a peek is one recv, then waits in epoll like any read.
void ClientWatchScope::peek() {
  socket_.async_receive(
      asio::buffer(&state_->peeked, 1), tcp::socket::message_peek,
      asio::bind_allocator(InStateAllocator<void>(state_.get()),
                           [state = state_](const boost::system::error_code& ec, std::size_t) {
                             // No error: the client pipelined its next request; it is there.
                             if (!ec || ec == asio::error::operation_aborted) return;
                             state->gone = true;  // end of file, or the connection failed
                             if (state->exchange) state->exchange->abort();
                           }));
}

}  // namespace fleetgate
