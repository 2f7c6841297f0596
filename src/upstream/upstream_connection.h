// One keep-alive connection to a backend, plain TCP or TLS, with its read buffer.
#pragma once

#include "net/deadline_sweeper.h"
#include "upstream/response_parser.h"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/buffer.hpp>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <span>

#include <array>
#include <optional>
#include <string>
#include <tuple>

namespace fleetgate {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;

class UpstreamConnection {
 public:
  using Clock = CoarseClock;
  // What one read asks for; the buffer holds two, so that a read after a partly parsed one
  // never makes it grow (a grown buffer was a heap allocation in the middle of a stream).
  static constexpr std::size_t kReadSize = 16 * 1024;

  UpstreamConnection(tcp::socket socket, DeadlineSweeper& sweeper);
  UpstreamConnection(asio::ssl::stream<tcp::socket> stream, DeadlineSweeper& sweeper);

  // Asio's read itself, not a coroutine of ours around it (no frame of its own per read).
  asio::awaitable<std::tuple<error_code, std::size_t>> read_some(asio::mutable_buffer b);
  // Writes all of `buffers`; a plain socket tries one non-blocking send before going async.
  asio::awaitable<error_code> write(std::span<const asio::const_buffer> buffers);

  tcp::socket& socket() { return tls_ ? tls_->next_layer() : *plain_; }
  void close();

  DeadlineWatch& watch() { return watch_; }
  boost::beast::flat_buffer& buffer() { return buffer_; }
  Clock::time_point last_used{};
  // The current exchange's response parser, made anew for each response (a Beast parser cannot
  // be reset); kept here rather than in the exchange so a request's coroutine frames stay small.
  std::optional<ResponseParser> parser;
  std::uint64_t requests = 0;  // served on this connection; > 0 means it came from the pool
  // Scratch strings for the current response's stream (decoders, translated chunks), kept with
  // their capacity from one response to the next so that a stream allocates nothing.
  std::array<std::string, 4> scratch;

 private:
  std::optional<tcp::socket> plain_;
  std::optional<asio::ssl::stream<tcp::socket>> tls_;
  boost::beast::flat_buffer buffer_;
  DeadlineWatch watch_;
};

}  // namespace fleetgate
