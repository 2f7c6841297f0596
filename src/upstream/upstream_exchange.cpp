#include "upstream/upstream_exchange.h"

#include "net/chunked_guard.h"

#include <boost/asio/ssl/error.hpp>
#include <boost/beast/http/error.hpp>

namespace fleetgate {

namespace http = boost::beast::http;

UpstreamExchange::UpstreamExchange(UpstreamPool& pool, BackendId backend, std::string_view label)
    : pool_(pool),
      backend_(backend),
      label_(label),
      body_(pool.take_buffer()),
      head_(pool.take_buffer()) {}

UpstreamExchange::~UpstreamExchange() {
  pool_.give_back(std::move(body_));
  pool_.give_back(std::move(head_));
  if (!conn_) return;
  auto& parser = conn_->parser;
  const bool reusable = !aborted_ && parser && parser->is_done() && parser->keep_alive() &&
                        conn_->buffer().size() == 0 && !conn_->watch().expired();
  parser.reset();
  if (reusable)
    pool_.release(backend_, std::move(conn_));
  else
    conn_->close();
}

void UpstreamExchange::abort() {
  aborted_ = true;
  if (conn_) conn_->close();
}

asio::awaitable<Result<void>> UpstreamExchange::start(std::span<const asio::const_buffer> request,
                                                      Duration first_byte, BodySource* rest) {
  auto result = co_await attempt(request, rest != nullptr, first_byte, rest);
  if (!result && retryable_ && !aborted_)
    result = co_await attempt(request, true, first_byte, rest);
  co_return result;
}

asio::awaitable<Result<void>> UpstreamExchange::send_rest(BodySource& rest, Duration gap) {
  while (true) {
    conn_->watch().disarm();  // the client's pace: its own body timeout bounds the wait
    auto piece = co_await rest.next();
    if (!piece) co_return piece.error();
    if (piece->empty()) co_return Result<void>{};
    conn_->watch().arm(gap);
    const asio::const_buffer b = asio::buffer(*piece);
    if (error_code ec = co_await conn_->write(std::span(&b, 1)))
      co_return io_error(ec, "sending the request", gap);
  }
}

asio::awaitable<Result<void>> UpstreamExchange::attempt(std::span<const asio::const_buffer> request,
                                                        bool fresh, Duration first_byte,
                                                        BodySource* rest) {
  retryable_ = false;
  if (conn_) {
    conn_->close();
    conn_.reset();
  }
  auto acquired = co_await pool_.acquire(backend_, fresh);
  if (!acquired) {
    Error e = acquired.error();
    e.message = std::string(label_) + ": " + e.message;
    co_return e;
  }
  conn_ = std::move(*acquired);
  const bool reused = conn_->requests > 0;
  conn_->parser.emplace();
  conn_->parser->eager(true);
  conn_->parser->header_limit(64 * 1024);
  conn_->parser->body_limit(std::uint64_t{1} << 32);
  conn_->parser->sink = &body_;
  body_.clear();
  conn_->buffer().clear();

  conn_->watch().arm(first_byte);
  if (error_code ec = co_await conn_->write(request)) {
    retryable_ = reused && !conn_->watch().expired();
    co_return io_error(ec, "sending the request", first_byte);
  }
  if (rest) {
    auto sent = co_await send_rest(*rest, first_byte);
    if (!sent) co_return sent.error();
    conn_->watch().arm(first_byte);
  }
  while (!conn_->parser->is_header_done()) {
    auto more = co_await advance("the response head", first_byte);
    if (!more) {
      retryable_ = reused && conn_->buffer().size() == 0 && !conn_->watch().expired() &&
                   more.error().code == Errc::UpstreamUnreachable;
      co_return more.error();
    }
    if (!*more && !conn_->parser->is_header_done())
      co_return Error(Errc::UpstreamProtocol,
                      std::string(label_) + ": the backend closed the connection early");
  }
  ++conn_->requests;
  unread_body_ = !body_.empty();
  co_return Result<void>{};
}

asio::awaitable<Result<void>> UpstreamExchange::read_body(Duration timeout) {
  conn_->watch().arm(timeout);
  while (!conn_->parser->is_done()) {
    auto more = co_await advance("the response body", timeout);
    if (!more) co_return more.error();
    if (!*more) break;
  }
  conn_->watch().disarm();
  co_return Result<void>{};
}

asio::awaitable<Result<bool>> UpstreamExchange::read_body_some(Duration gap) {
  if (unread_body_) {  // the first piece came in with the head
    unread_body_ = false;
    co_return true;
  }
  body_.clear();
  while (body_.empty()) {
    if (conn_->parser->is_done()) {
      conn_->watch().disarm();
      co_return false;
    }
    conn_->watch().arm(gap);
    auto more = co_await advance("the next stream event", gap);
    if (!more) co_return more.error();
    if (!*more && body_.empty()) co_return false;
  }
  co_return true;
}

asio::awaitable<Result<bool>> UpstreamExchange::advance(const char* waiting_for,
                                                        Duration deadline) {
  auto& buf = conn_->buffer();
  while (true) {
    if (buf.size() > 0 && chunked_put_is_safe(*conn_->parser, buf.size())) {
      error_code ec;
      const std::size_t used = conn_->parser->put(buf.data(), ec);
      buf.consume(used);
      if (ec && ec != http::error::need_more)
        co_return Error(Errc::UpstreamProtocol,
                        std::string(label_) + ": bad HTTP response: " + ec.message());
      if (used > 0 || conn_->parser->is_done()) co_return true;
    } else if (conn_->parser->is_done()) {
      co_return false;
    }
    auto [ec, n] = co_await conn_->read_some(buf.prepare(UpstreamConnection::kReadSize));
    buf.commit(n);
    if (ec == asio::error::eof || (ec == asio::ssl::error::stream_truncated && n == 0)) {
      if (conn_->parser->is_header_done() && conn_->parser->need_eof()) {
        error_code eof_ec;
        conn_->parser->put_eof(eof_ec);
        co_return !eof_ec ? Result<bool>(false)
                          : Result<bool>(Error(Errc::UpstreamProtocol,
                                               std::string(label_) + ": " + eof_ec.message()));
      }
      co_return Error(Errc::UpstreamUnreachable,
                      std::string(label_) +
                          ": the backend closed the connection while we waited for " + waiting_for);
    }
    if (ec) co_return io_error(ec, waiting_for, deadline);
  }
}

Error UpstreamExchange::io_error(const error_code& ec, const char* waiting_for,
                                 Duration deadline) const {
  if (conn_ && conn_->watch().expired())
    return Error(Errc::UpstreamTimeout, std::string(label_) + ": no " + std::string(waiting_for) +
                                            " within " + format_duration(deadline));
  if (aborted_) return Error(Errc::ClientGone, std::string(label_) + ": request abandoned");
  return Error(Errc::UpstreamUnreachable, std::string(label_) + ": connection failed while " +
                                              (std::string(waiting_for) == "sending the request"
                                                   ? std::string("sending the request")
                                                   : "waiting for " + std::string(waiting_for)) +
                                              ": " + ec.message());
}

}  // namespace fleetgate
