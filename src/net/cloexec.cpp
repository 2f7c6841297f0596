#include "net/cloexec.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <sys/socket.h>

#include <cerrno>
#include <memory>

namespace fleetgate {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;

namespace {

int new_socket(const tcp& protocol, error_code& ec) {
  const int fd =
      ::socket(protocol.family(), SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, protocol.protocol());
  ec.clear();
  if (fd < 0) ec.assign(errno, asio::error::get_system_category());
  return fd;
}

template <typename Socket>
error_code open_into(Socket& s, const tcp& protocol) {
  error_code ec;
  const int fd = new_socket(protocol, ec);
  if (fd < 0) return ec;
  s.assign(protocol, fd, ec);
  if (ec) ::close(fd);
  return ec;
}

// One accept4() into `out`: 0, EAGAIN when nothing is pending (or a connection was reset
// before it was taken), or the errno.
int accept_now(tcp::acceptor& acceptor, tcp::socket& out) {
  const int fd =
      ::accept4(acceptor.native_handle(), nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
  if (fd < 0) {
    const int e = errno;
    return e == EWOULDBLOCK || e == EINTR || e == ECONNABORTED || e == EPROTO ? EAGAIN : e;
  }
  error_code ec;
  const tcp::endpoint local = acceptor.local_endpoint(ec);
  if (!ec) out.assign(local.protocol(), fd, ec);
  if (ec) ::close(fd);
  return ec.value();
}

// One try after another, by callbacks: endpoint `at`, then the next on failure.
struct ConnectChain : std::enable_shared_from_this<ConnectChain> {
  tcp::socket& socket;
  tcp::resolver::results_type endpoints;
  tcp::resolver::results_type::const_iterator at;
  std::function<void(const error_code&)> done;
  error_code last = asio::error::host_not_found;

  ConnectChain(tcp::socket& s, const tcp::resolver::results_type& e,
               std::function<void(const error_code&)> d)
      : socket(s), endpoints(e), at(endpoints.begin()), done(std::move(d)) {}

  void next() {
    if (at == endpoints.end()) return done(last);
    const tcp::endpoint ep = at->endpoint();
    ++at;
    error_code ignored;
    socket.close(ignored);
    if ((last = open_cloexec(socket, ep.protocol()))) return next();
    socket.async_connect(ep, [self = shared_from_this()](const error_code& ec) {
      if (!ec || ec == asio::error::operation_aborted) return self->done(ec);
      self->last = ec;
      self->next();
    });
  }
};

}  // namespace

error_code open_cloexec(tcp::socket& socket, const tcp& protocol) {
  return open_into(socket, protocol);
}

error_code open_cloexec(tcp::acceptor& acceptor, const tcp& protocol) {
  return open_into(acceptor, protocol);
}

asio::awaitable<Accepted> accept_cloexec(tcp::acceptor& acceptor) {
  Accepted a{0, tcp::socket(co_await asio::this_coro::executor)};
  while ((a.error = accept_now(acceptor, a.socket)) == EAGAIN) {
    auto [wec] =
        co_await acceptor.async_wait(tcp::acceptor::wait_read, asio::as_tuple(asio::use_awaitable));
    if (wec) {
      a.error = wec.value();
      break;
    }
  }
  co_return a;
}

asio::awaitable<error_code> connect_cloexec(tcp::socket& socket,
                                            const tcp::resolver::results_type& endpoints,
                                            const bool& stop) {
  error_code last = asio::error::host_not_found;
  for (const auto& entry : endpoints) {
    if (stop) break;
    error_code ignored;
    socket.close(ignored);
    if ((last = open_cloexec(socket, entry.endpoint().protocol()))) continue;
    auto [ec] =
        co_await socket.async_connect(entry.endpoint(), asio::as_tuple(asio::use_awaitable));
    last = ec;
    if (!ec || stop) break;
  }
  co_return last;
}

void connect_cloexec(tcp::socket& socket, const tcp::resolver::results_type& endpoints,
                     std::function<void(const error_code&)> done) {
  std::make_shared<ConnectChain>(socket, endpoints, std::move(done))->next();
}

}  // namespace fleetgate
