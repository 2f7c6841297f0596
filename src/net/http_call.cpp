#include "net/http_call.h"
#include "net/cloexec.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include <openssl/ssl.h>

namespace fleetgate {

namespace {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;

// Runs one asynchronous step on `io` for at most `timeout`; on expiry `cancel` ends it.
// (Sync Beast calls would not do: once Asio has put the socket in non-blocking mode for the
// connect, its synchronous reads poll without a limit and SO_RCVTIMEO no longer applies.)
// `abandon`, when set, ends the step early (checked every 100 ms).
template <class Start, class Cancel>
boost::system::error_code step(asio::io_context& io, Duration timeout, Start start, Cancel cancel,
                               const std::atomic<bool>* abandon) {
  boost::system::error_code result = asio::error::timed_out;
  bool done = false;
  start([&](const boost::system::error_code& ec) {
    result = ec;
    done = true;
  });
  io.restart();
  if (!abandon) {
    io.run_for(timeout);
  } else {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!done && !abandon->load() && !io.stopped()) {
      const auto left = deadline - std::chrono::steady_clock::now();
      if (left <= std::chrono::steady_clock::duration::zero()) break;
      io.run_for(
          std::min<std::chrono::steady_clock::duration>(left, std::chrono::milliseconds(100)));
    }
  }
  if (!done) {
    cancel();
    io.restart();
    io.run();  // lets the cancelled handlers finish before their captures go
    return asio::error::timed_out;
  }
  return result;
}

template <class Stream, class Cancel>
Result<std::string> exchange(asio::io_context& io, Stream& stream, Duration timeout, Cancel cancel,
                             int* status, http::request<http::string_body>& req,
                             const std::atomic<bool>* abandon) {
  auto ec = step(
      io, timeout,
      [&](auto done) {
        http::async_write(stream, req,
                          [done](const boost::system::error_code& e, std::size_t) { done(e); });
      },
      cancel, abandon);
  if (ec) return Error(Errc::UpstreamUnreachable, "sending: " + ec.message());
  boost::beast::flat_buffer buffer;
  http::response<http::string_body> res;
  ec = step(
      io, timeout,
      [&](auto done) {
        http::async_read(stream, buffer, res,
                         [done](const boost::system::error_code& e, std::size_t) { done(e); });
      },
      cancel, abandon);
  if (ec) return Error(Errc::UpstreamProtocol, "reading the answer: " + ec.message());
  if (status) *status = static_cast<int>(res.result_int());
  if (res.result_int() < 200 || res.result_int() > 299)
    return Error(Errc::UpstreamProtocol,
                 "answered " + std::to_string(res.result_int()) +
                     (res.body().empty() ? std::string() : ": " + res.body()));
  return std::move(res.body());
}

}  // namespace

Result<std::string> http_call(const Url& url, const std::string& method, const std::string& target,
                              const std::string& body, const std::optional<std::string>& token,
                              Duration timeout, const std::atomic<bool>* abandon, int* status) {
  if (status) *status = 0;
  asio::io_context io;
  tcp::resolver resolver(io);
  tcp::socket socket(io);
  auto close = [&] {
    resolver.cancel();
    boost::system::error_code ignored;
    socket.close(ignored);
  };
  // Resolving and connecting share one timeout. An IP literal needs no resolver (whose
  // asynchronous form starts a thread of its own for each call).
  boost::system::error_code not_literal;
  const auto literal = asio::ip::make_address(url.host, not_literal);
  const auto connected = step(
      io, timeout,
      [&](auto done) {
        if (!not_literal) {
          const tcp::endpoint ep(literal, url.port);
          connect_cloexec(
              socket, tcp::resolver::results_type::create(ep, url.host, std::to_string(url.port)),
              done);
          return;
        }
        resolver.async_resolve(url.host, std::to_string(url.port),
                               [&socket, done](const boost::system::error_code& ec,
                                               const tcp::resolver::results_type& r) {
                                 if (ec) return done(ec);
                                 connect_cloexec(socket, r, done);
                               });
      },
      close, abandon);
  if (connected == asio::error::timed_out)
    return Error(Errc::UpstreamTimeout, "connecting to " + url.authority() + ": timed out");
  if (connected)
    return Error(Errc::UpstreamUnreachable,
                 "connecting to " + url.authority() + ": " + connected.message());

  std::string path = url.base_path + target;
  if (path.empty()) path = "/";
  http::request<http::string_body> req(http::string_to_verb(method), path, 11);
  req.set(http::field::host, url.authority());
  req.set(http::field::user_agent, "fleetgate");
  if (token) req.set(http::field::authorization, "Bearer " + *token);
  if (!body.empty()) {
    req.set(http::field::content_type, "application/json");
    req.body() = body;
  }
  req.keep_alive(false);
  req.prepare_payload();
  if (!url.tls) return exchange(io, socket, timeout, close, status, req, abandon);
  asio::ssl::context tls(asio::ssl::context::tls_client);
  tls.set_default_verify_paths();
  asio::ssl::stream<tcp::socket&> stream(socket, tls);
  if (not_literal) SSL_set_tlsext_host_name(stream.native_handle(), url.host.c_str());
  stream.set_verify_mode(asio::ssl::verify_peer);
  stream.set_verify_callback(asio::ssl::host_name_verification(url.host));
  const auto shaken = step(
      io, timeout, [&](auto done) { stream.async_handshake(asio::ssl::stream_base::client, done); },
      close, abandon);
  if (shaken) return Error(Errc::UpstreamProtocol, "TLS handshake: " + shaken.message());
  return exchange(io, stream, timeout, close, status, req, abandon);
}

}  // namespace fleetgate
