#include "upstream/upstream_connection.h"

#include "net/io_token.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/buffers_suffix.hpp>

namespace fleetgate {

UpstreamConnection::UpstreamConnection(tcp::socket socket, DeadlineSweeper& sweeper)
    : plain_(std::move(socket)), watch_(sweeper, [this] { close(); }) {
  buffer_.reserve(2 * kReadSize);
  error_code ec;
  plain_->non_blocking(true, ec);
}

UpstreamConnection::UpstreamConnection(asio::ssl::stream<tcp::socket> stream,
                                       DeadlineSweeper& sweeper)
    : tls_(std::move(stream)), watch_(sweeper, [this] { close(); }) {
  buffer_.reserve(2 * kReadSize);
}

void UpstreamConnection::close() {
  error_code ec;
  socket().close(ec);
}

asio::awaitable<std::tuple<error_code, std::size_t>> UpstreamConnection::read_some(
    asio::mutable_buffer b) {
  return tls_ ? tls_->async_read_some(b, io_token()) : plain_->async_read_some(b, io_token());
}

asio::awaitable<error_code> UpstreamConnection::write(std::span<const asio::const_buffer> buffers) {
  if (tls_) {
    auto [ec, n] = co_await asio::async_write(*tls_, buffers, io_token());
    co_return ec;
  }
  error_code ec;
  const std::size_t total = asio::buffer_size(buffers);
  const std::size_t sent = plain_->write_some(buffers, ec);
  if (!ec && sent == total) co_return ec;
  if (ec && ec != asio::error::would_block && ec != asio::error::try_again) co_return ec;
  boost::beast::buffers_suffix<std::span<const asio::const_buffer>> rest(buffers);
  rest.consume(ec ? 0 : sent);
  auto [ec2, n] = co_await asio::async_write(*plain_, rest, io_token());
  co_return ec2;
}

}  // namespace fleetgate
