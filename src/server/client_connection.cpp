#include "server/client_connection.h"

#include "net/chunked_guard.h"
#include "net/io_token.h"
#include "openai/error_json.h"
#include "server/body_pool.h"
#include "server/request_handler.h"
#include "server/request_parser.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/buffers_suffix.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/status.hpp>

#include <array>
#include <atomic>
#include <charconv>
#include <random>

namespace fleetgate {

namespace http = boost::beast::http;
using error_code = boost::system::error_code;

namespace {

void append_number(std::string& out, std::uint64_t n, int base = 10) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, n, base);
  out.append(buf, end);
}

}  // namespace

void make_request_id(std::string& out) {
  static const std::uint64_t process_salt = std::random_device{}();
  static std::atomic<std::uint64_t> counter{0};
  // A counter mixed with a per-run salt (splitmix64): unique, unpredictable enough, no syscalls.
  std::uint64_t z =
      process_salt + 0x9e3779b97f4a7c15ull * (counter.fetch_add(1, std::memory_order_relaxed) + 1);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  z ^= z >> 31;
  char buf[16];
  for (int i = 15; i >= 0; --i, z >>= 4) buf[i] = "0123456789abcdef"[z & 15];
  out.assign(buf, 16);  // reuses the connection's string: no allocation after the first request
}

bool is_loopback_address(const asio::ip::address& a) {
  if (a.is_v4()) return a.to_v4().is_loopback();
  const auto v6 = a.to_v6();
  if (v6.is_loopback()) return true;
  return v6.is_v4_mapped() && asio::ip::make_address_v4(asio::ip::v4_mapped, v6).is_loopback();
}

ClientConnection::ClientConnection(tcp::socket socket, DeadlineSweeper& sweeper,
                                   const ClientLimits& limits, BodyPool& bodies)
    : socket_(std::move(socket)),
      limits_(limits),
      bodies_(bodies),
      // Cancel rather than close: a client that was too slow still gets its 408.
      watch_(sweeper, [this] {
        error_code ignored;
        socket_.cancel(ignored);
      }) {
  error_code ec;
  socket_.non_blocking(true, ec);
  socket_.set_option(tcp::no_delay(true), ec);
  const auto remote = socket_.remote_endpoint(ec);
  peer_.loopback = !ec && is_loopback_address(remote.address());
  if (!ec) peer_.address = remote.address().to_string();
}

ClientConnection::~ClientConnection() { close(); }

void ClientConnection::close() {
  error_code ignored;
  if (socket_.is_open()) {
    socket_.shutdown(tcp::socket::shutdown_both, ignored);
    socket_.close(ignored);
  }
}

asio::awaitable<std::tuple<error_code, std::size_t>> ClientConnection::read_some() {
  return socket_.async_read_some(buffer_.prepare(16 * 1024), io_token());
}

asio::awaitable<ReadOutcome> ClientConnection::read_request(Request& req,
                                                            const RequestHandler* handler) {
  req.clear();
  response_headers_.clear();
  head_sent_ = false;
  head_held_ = false;
  status_ = 0;
  chunked_ = false;
  body_left_ = 0;
  body_unread_ = false;
  RequestParser parser(req);
  parser.eager(true);
  parser.header_limit(64 * 1024);
  parser.body_limit(limits_.max_body);

  idle_ = buffer_.size() == 0;
  watch_.arm(idle_ ? limits_.keepalive_timeout : limits_.header_timeout);
  bool in_body = false;
  dialect_ = Dialect::OpenAI;
  while (true) {
    if (buffer_.size() > 0 && chunked_put_is_safe(parser, buffer_.size())) {
      error_code ec;
      const std::size_t used = parser.put(buffer_.data(), ec);
      buffer_.consume(used);
      if (ec && ec != http::error::need_more) {
        watch_.disarm();
        keep_alive_ = false;
        if (in_body) dialect_ = dialect_of_path(req.path());
        if (ec == http::error::body_limit)
          error_ = Error(Errc::PayloadTooLarge, "The request body is larger than the limit of " +
                                                    std::to_string(limits_.max_body) + " bytes.");
        else if (ec == http::error::header_limit)
          error_ = Error(Errc::BadRequest, "The request headers are too large.");
        else
          error_ = Error(Errc::BadRequest, "Malformed HTTP request: " + ec.message() + ".");
        make_request_id(request_id_);
        co_return ReadOutcome::Failed;
      }
      if (parser.is_header_done() && !in_body) {
        in_body = true;
        if (auto refused = handler ? handler->check_head(req, peer_) : std::nullopt) {
          watch_.disarm();
          keep_alive_ = false;
          body_unread_ = !parser.is_done();
          error_ = std::move(*refused);
          version_ = req.version;
          take_request_id(req);
          co_return ReadOutcome::Failed;
        }
        bodies_.lend(req.body, req.content_length.value_or(0));
        watch_.arm(limits_.body_timeout);
        if (req.expect_continue && !parser.is_done()) {
          static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
          const asio::const_buffer b = asio::buffer(kContinue);
          if (!co_await write(std::span(&b, 1))) co_return ReadOutcome::Closed;
        }
        // The parser took what came with the head; the rest is the handler's to read.
        if (!parser.is_done() && req.content_length && !req.chunked && handler &&
            handler->streams_body(req)) {
          body_left_ = *req.content_length - req.body.size();
          body_unread_ = true;
          break;
        }
      }
      if (parser.is_done()) break;
      if (used > 0 && buffer_.size() > 0) continue;
    }
    auto [read_ec, n] = co_await read_some();
    buffer_.commit(n);
    if (read_ec || n == 0) {
      const bool started = !idle_ || buffer_.size() > 0;
      if (watch_.expired() && started) {
        keep_alive_ = false;
        error_ =
            Error(Errc::ClientTimeout, in_body ? "The request body did not arrive in time."
                                               : "The request headers did not arrive in time.");
        make_request_id(request_id_);
        co_return ReadOutcome::Failed;
      }
      watch_.disarm();
      co_return ReadOutcome::Closed;
    }
    if (idle_) {
      idle_ = false;
      watch_.arm(limits_.header_timeout);
    }
  }
  watch_.disarm();
  idle_ = false;
  keep_alive_ = req.keep_alive;
  version_ = req.version;
  take_request_id(req);
  co_return ReadOutcome::Request;
}

asio::awaitable<Result<std::string_view>> ClientConnection::read_body_some(Request& req) {
  if (body_left_ == 0) co_return std::string_view();
  if (buffer_.size() == 0) {
    watch_.arm(limits_.body_timeout);
    auto [ec, n] = co_await read_some();
    buffer_.commit(n);
    watch_.disarm();
    if (ec || n == 0) {
      keep_alive_ = false;
      body_unread_ = false;
      if (watch_.expired())
        co_return Error(Errc::ClientTimeout, "The request body did not arrive in time.");
      co_return Error(Errc::ClientGone, "The client closed the connection during its upload.");
    }
  }
  const std::size_t n =
      static_cast<std::size_t>(std::min<std::uint64_t>(buffer_.size(), body_left_));
  const std::size_t start = req.body.size();
  req.body.append(static_cast<const char*>(buffer_.data().data()), n);
  buffer_.consume(n);
  body_left_ -= n;
  if (body_left_ == 0) body_unread_ = false;
  co_return std::string_view(req.body).substr(start);
}

void ClientConnection::take_request_id(const Request& req) {
  dialect_ = dialect_of_path(req.path());
  if (req.request_id.empty())
    make_request_id(request_id_);
  else
    request_id_ = req.request_id;
}

void ClientConnection::release_body(Request& req) { bodies_.give_back(req.body); }

asio::awaitable<void> ClientConnection::close_refused() {
  if (body_unread_ && socket_.is_open()) {
    error_code ec;
    socket_.shutdown(tcp::socket::shutdown_send, ec);
    // Read off what is on its way, bounded, so the close does not reset the connection before
    // the client read its answer.
    watch_.arm(std::chrono::milliseconds(500));
    std::size_t drained = 0;
    while (drained < (1u << 20)) {
      buffer_.clear();
      auto [ec_read, n] = co_await read_some();
      buffer_.commit(n);
      if (ec_read || n == 0) break;
      drained += n;
    }
    watch_.disarm();
    buffer_.clear();
  }
  close();
}

void ClientConnection::build_head(int status, std::string_view content_type, std::string_view extra,
                                  Framing framing, std::size_t length) {
  if (body_left_ > 0) keep_alive_ = false;  // answered before its body was whole
  head_.clear();
  status_ = status;
  head_ += version_ >= 11 ? "HTTP/1.1 " : "HTTP/1.0 ";
  append_number(head_, static_cast<std::uint64_t>(status));
  head_ += ' ';
  const auto reason = http::obsolete_reason(static_cast<http::status>(status));
  head_.append(reason.data(), reason.size());
  head_ += "\r\nContent-Type: ";
  head_ += content_type;
  head_ += "\r\n";
  if (framing == Framing::Length) {
    head_ += "Content-Length: ";
    append_number(head_, length);
    head_ += "\r\n";
  } else if (framing == Framing::Chunked) {
    head_ += "Transfer-Encoding: chunked\r\n";
  }
  head_ += "x-request-id: ";
  head_ += request_id_;
  head_ += "\r\n";
  head_ += extra;
  head_ += response_headers_;
  if (!keep_alive_)
    head_ += "Connection: close\r\n";
  else if (version_ < 11)
    head_ += "Connection: keep-alive\r\n";
  head_ += "\r\n";
  head_sent_ = true;
}

void ClientConnection::prepare_send(int status, std::string_view content_type,
                                    std::span<const asio::const_buffer> body) {
  build_head(status, content_type, {}, Framing::Length, asio::buffer_size(body));
  scratch_.clear();
  scratch_.push_back(asio::buffer(head_));
  scratch_.insert(scratch_.end(), body.begin(), body.end());
}

// send(), the stream's writes and flush_head() are not coroutines: they lay out their buffers in
// the connection's members and hand back write()'s awaitable (one frame per write, not two).
asio::awaitable<bool> ClientConnection::send(int status, std::string_view content_type,
                                             std::span<const asio::const_buffer> body) {
  prepare_send(status, content_type, body);
  return write(scratch_);
}

asio::awaitable<bool> ClientConnection::send(int status, std::string_view content_type,
                                             std::string_view body) {
  const asio::const_buffer one = asio::buffer(body);
  prepare_send(status, content_type, std::span(&one, 1));
  return write(scratch_);
}

asio::awaitable<bool> ClientConnection::send_error(const Error& e) {
  const HttpError rendered = render_error(e, dialect_);
  co_return co_await send(rendered.status, "application/json", rendered.body);
}

asio::awaitable<bool> ClientConnection::start_stream(int status, std::string_view content_type,
                                                     bool hold_head) {
  chunked_ = version_ >= 11;
  if (!chunked_) keep_alive_ = false;
  build_head(status, content_type, "Cache-Control: no-cache\r\n",
             chunked_ ? Framing::Chunked : Framing::UntilClose);
  head_held_ = true;
  return hold_head ? write({}) : flush_head();
}

asio::awaitable<bool> ClientConnection::flush_head() { return write(stream_parts({}, {}, false)); }

// The held head, `data` + `more` as one chunk (none when both are empty), and the end of the
// body when `last`: the buffers of one write.
std::span<const asio::const_buffer> ClientConnection::stream_parts(std::string_view data,
                                                                   std::string_view more,
                                                                   bool last) {
  std::size_t n = 0;
  if (head_held_) {
    parts_[n++] = asio::buffer(head_);
    head_held_ = false;
  }
  const std::size_t size = data.size() + more.size();
  if (size > 0) {
    if (chunked_) {
      chunk_head_.clear();
      append_number(chunk_head_, size, 16);
      chunk_head_ += "\r\n";
      parts_[n++] = asio::buffer(chunk_head_);
    }
    if (!data.empty()) parts_[n++] = asio::buffer(data);
    if (!more.empty()) parts_[n++] = asio::buffer(more);
    if (chunked_) parts_[n++] = asio::buffer("\r\n", 2);
  }
  if (last && chunked_) parts_[n++] = asio::buffer("0\r\n\r\n", 5);
  return std::span<const asio::const_buffer>(parts_.data(), n);
}

// An empty chunk would end the body: nothing is sent for empty data (but a held head).
asio::awaitable<bool> ClientConnection::send_chunk(std::string_view data) {
  return write(stream_parts(data, {}, false));
}

// HTTP/1.0 with nothing left to send: no buffers, the close ends the body.
asio::awaitable<bool> ClientConnection::end_stream(std::string_view data, std::string_view more) {
  return write(stream_parts(data, more, true));
}

asio::awaitable<bool> ClientConnection::write(std::span<const asio::const_buffer> buffers) {
  const std::size_t total = asio::buffer_size(buffers);
  if (total == 0) co_return true;
  error_code ec;
  const std::size_t sent = socket_.write_some(buffers, ec);
  if (!ec && sent == total) co_return true;
  if (ec && ec != asio::error::would_block && ec != asio::error::try_again) {
    keep_alive_ = false;
    co_return false;
  }
  boost::beast::buffers_suffix<std::span<const asio::const_buffer>> rest(buffers);
  rest.consume(ec ? 0 : sent);
  watch_.arm(limits_.body_timeout);
  auto [ec2, n] = co_await asio::async_write(socket_, rest, io_token());
  watch_.disarm();
  if (ec2) keep_alive_ = false;
  co_return !ec2;
}

}  // namespace fleetgate
