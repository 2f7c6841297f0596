#include "providers/client_watch.h"

#include "net/io_token.h"

#include <boost/asio/bind_allocator.hpp>

#include <sys/socket.h>

#include <cerrno>

namespace fleetgate {

// The state and the wait come from the I/O thread's kept blocks: a watched stream allocates
// nothing.
ClientWatchScope::ClientWatchScope(tcp::socket& socket)
    : socket_(socket), state_(std::make_shared<State>()) {
  socket.async_wait(
      tcp::socket::wait_read,
      asio::bind_allocator(
          HeapAllocator<void>(), [&socket, state = state_](const boost::system::error_code& ec) {
            if (ec) return;
            char byte;
            const auto n = ::recv(socket.native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
            if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)) {
              state->gone = true;
              if (state->exchange) state->exchange->abort();
            }
            // n > 0: the client pipelined its next request; it is still there.
          }));
}

}  // namespace fleetgate
