// One request/response with a backend: send the request, read the head, then the body whole or
// piece by piece. Every wait has a deadline; a stale pooled connection is retried once.
#pragma once

#include "upstream/response_parser.h"
#include "upstream/upstream_pool.h"

#include <boost/asio/awaitable.hpp>

#include <memory>
#include <string>
#include <vector>

namespace fleetgate {

// The rest of a request body that is still arriving (a streamed upload): each next() gives the
// next piece (valid until the following call), empty at the end; an error when its sender failed.
class BodySource {
 public:
  virtual ~BodySource() = default;
  virtual asio::awaitable<Result<std::string_view>> next() = 0;
};

class UpstreamExchange {
 public:
  // `label` names the deployment in error messages; it must outlive the exchange.
  UpstreamExchange(UpstreamPool& pool, BackendId backend, std::string_view label);
  ~UpstreamExchange();
  UpstreamExchange(const UpstreamExchange&) = delete;
  UpstreamExchange& operator=(const UpstreamExchange&) = delete;

  // Sends `request` (then each piece of `rest`, as it comes) and reads the response head within
  // `first_byte` of the request's end. `request` must stay valid until start() completes. With
  // `rest` the connection is a new one: a piece sent cannot be sent again on a stale one.
  asio::awaitable<Result<void>> start(std::span<const asio::const_buffer> request,
                                      Duration first_byte, BodySource* rest = nullptr);

  // Reads the rest of the body into body() within `timeout`; for non-streaming responses.
  asio::awaitable<Result<void>> read_body(Duration timeout);

  // Reads whatever body bytes arrive next into body() (cleared first), waiting at most `gap`.
  // False when the body is complete and nothing new arrived.
  asio::awaitable<Result<bool>> read_body_some(Duration gap);

  int status() const { return conn_->parser->status; }
  std::optional<Duration> retry_after() const { return conn_->parser->retry_after; }
  std::string_view content_type() const { return conn_->parser->content_type(); }
  std::string& body() { return body_; }
  const std::string& body() const { return body_; }
  // Scratch space for the request head, reused across requests (must outlive start()).
  std::string& head() { return head_; }
  // The connection's scratch string `i` (0-3), for this response's stream only.
  std::string& scratch(std::size_t i) { return conn_->scratch[i]; }
  bool done() const { return conn_ && conn_->parser && conn_->parser->is_done(); }
  // Body bytes came in with the head: the first read_body_some() returns them without waiting.
  bool body_in_hand() const { return unread_body_; }

  // Ends the exchange early (e.g. the client left): closes the connection, failing pending reads.
  void abort();

 private:
  asio::awaitable<Result<void>> attempt(std::span<const asio::const_buffer> request, bool fresh,
                                        Duration first_byte, BodySource* rest);
  // Sends the pieces of `rest` as they come, each within `gap`.
  asio::awaitable<Result<void>> send_rest(BodySource& rest, Duration gap);
  // Parses buffered bytes, reading more when the parser needs them; false at the end of the body.
  asio::awaitable<Result<bool>> advance(const char* waiting_for, Duration deadline);
  Error io_error(const error_code& ec, const char* waiting_for, Duration deadline) const;

  UpstreamPool& pool_;
  BackendId backend_;
  std::string_view label_;
  std::unique_ptr<UpstreamConnection> conn_;
  std::string body_;  // both buffers come from the pool and go back to it
  std::string head_;
  bool aborted_ = false;
  bool retryable_ = false;    // the failure hit a reused connection before any response byte
  bool unread_body_ = false;  // start() parsed body bytes along with the head
};

}  // namespace fleetgate
