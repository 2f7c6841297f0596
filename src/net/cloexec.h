// Sockets that a child process never inherits. Asio 1.81 opens and accepts with plain socket()
// and accept(); these open with SOCK_CLOEXEC and accept with accept4(), so no fork anywhere in
// the process (ours close every descriptor anyway) can hand a listener or a connection on.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <functional>
#include <tuple>

namespace fleetgate {

// Opens `socket` (closed) or `acceptor` for `protocol`, close-on-exec and non-blocking.
boost::system::error_code open_cloexec(boost::asio::ip::tcp::socket& socket,
                                       const boost::asio::ip::tcp& protocol);
boost::system::error_code open_cloexec(boost::asio::ip::tcp::acceptor& acceptor,
                                       const boost::asio::ip::tcp& protocol);

// What accept_cloexec() took: a connection, or accept4()'s errno. An int, not an error_code:
// out of descriptors, building one runs UBSan's vptr check on its category, which needs a pipe()
// it cannot get, and the sanitizer reports a bad object.
struct Accepted {
  int error = 0;
  boost::asio::ip::tcp::socket socket;
};

// The next connection on a listening acceptor, close-on-exec; waits while there is none.
boost::asio::awaitable<Accepted> accept_cloexec(boost::asio::ip::tcp::acceptor& acceptor);

// Connects to the first of `endpoints` that takes it, each try on a fresh close-on-exec socket
// (as asio::async_connect does, which opens its own). `stop` is checked between tries (a
// deadline that closed the socket).
boost::asio::awaitable<boost::system::error_code> connect_cloexec(
    boost::asio::ip::tcp::socket& socket,
    const boost::asio::ip::tcp::resolver::results_type& endpoints, const bool& stop);
// The same with a completion callback, for code that runs its own io_context.
void connect_cloexec(boost::asio::ip::tcp::socket& socket,
                     const boost::asio::ip::tcp::resolver::results_type& endpoints,
                     std::function<void(const boost::system::error_code&)> done);

}  // namespace fleetgate
