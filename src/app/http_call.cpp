#include "app/http_call.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include <sys/socket.h>

namespace fleetgate {

namespace asio = boost::asio;
namespace http = boost::beast::http;

Result<std::string> http_call(const Url& url, const std::string& method, const std::string& target,
                              const std::string& body, const std::optional<std::string>& token,
                              Duration timeout) {
  asio::io_context io;
  asio::ip::tcp::resolver resolver(io);
  boost::system::error_code ec;
  auto endpoints = resolver.resolve(url.host, std::to_string(url.port), ec);
  if (ec) return Error(Errc::UpstreamUnreachable, "resolving " + url.host + ": " + ec.message());
  asio::ip::tcp::socket socket(io);
  boost::system::error_code cec = asio::error::timed_out;
  asio::async_connect(socket, endpoints,
                      [&](const boost::system::error_code& e, const auto&) { cec = e; });
  io.run_for(timeout);
  if (!io.stopped()) return Error(Errc::UpstreamTimeout, "connecting: timed out");
  if (cec) return Error(Errc::UpstreamUnreachable, "connecting: " + cec.message());
  timeval tv{static_cast<time_t>(timeout.count() / 1000),
             static_cast<suseconds_t>(timeout.count() % 1000 * 1000)};
  ::setsockopt(socket.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(socket.native_handle(), SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  http::request<http::string_body> req(http::string_to_verb(method), url.base_path + target, 11);
  req.set(http::field::host, url.authority());
  if (token) req.set(http::field::authorization, "Bearer " + *token);
  if (!body.empty()) {
    req.set(http::field::content_type, "application/json");
    req.body() = body;
  }
  req.prepare_payload();
  http::write(socket, req, ec);
  if (ec) return Error(Errc::UpstreamUnreachable, "sending: " + ec.message());
  boost::beast::flat_buffer buffer;
  http::response<http::string_body> res;
  http::read(socket, buffer, res, ec);
  if (ec) return Error(Errc::UpstreamProtocol, "reading: " + ec.message());
  if (res.result_int() < 200 || res.result_int() > 299)
    return Error(Errc::UpstreamProtocol,
                 "answered " + std::to_string(res.result_int()) + ": " + res.body());
  return res.body();
}

}  // namespace fleetgate
