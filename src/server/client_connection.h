// A client's keep-alive connection: reads requests, writes responses (whole or chunked).
// Thread affinity: its worker's thread.
#pragma once

#include "core/error.h"
#include "net/deadline_sweeper.h"
#include "openai/dialect.h"
#include "server/client_limits.h"
#include "server/peer.h"
#include "server/request.h"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/buffer.hpp>

#include <array>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <span>
#include <tuple>

#include <string>
#include <string_view>
#include <vector>

namespace fleetgate {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

enum class ReadOutcome { Request, Closed, Failed };

class BodyPool;
class RequestHandler;

// Loopback: 127.0.0.0/8, ::1, and IPv4-mapped loopback (::ffff:127.0.0.1 on a [::] listener).
bool is_loopback_address(const asio::ip::address& a);

class ClientConnection : public WatchHook {
 public:
  ClientConnection(tcp::socket socket, DeadlineSweeper& sweeper, const ClientLimits& limits,
                   BodyPool& bodies);
  ~ClientConnection();

  // Reads the next request into `req`; `handler` (if any) vets its head before the body is
  // read. On Failed, `error()` says why and the connection must close after the error response
  // (close_refused() then, which also reads off a body that was never wanted).
  asio::awaitable<ReadOutcome> read_request(Request& req, const RequestHandler* handler = nullptr);
  const Error& error() const { return error_; }
  // A body the handler streams (RequestHandler::streams_body): read_request() returns once the
  // head is in, with what came along in req.body, and the rest comes here piece by piece. Each
  // call appends the next piece to req.body and returns it (valid until the next call; empty
  // once the body is whole); ClientTimeout or ClientGone when the client fails.
  asio::awaitable<Result<std::string_view>> read_body_some(Request& req);
  // Body bytes still to come: a response written before they came closes the connection.
  std::uint64_t body_left() const { return body_left_; }
  // After the error response to a refused head: stops sending, reads and drops what the client
  // still sends for a moment (at most 1 MiB, 500 ms) so that it sees the answer, then closes.
  asio::awaitable<void> close_refused();
  // The request's body buffer goes back to the worker's pool (when it grew large).
  void release_body(Request& req);
  const Peer& peer() const { return peer_; }

  // Whole response, with the lines given to add_response_header().
  asio::awaitable<bool> send(int status, std::string_view content_type,
                             std::span<const asio::const_buffer> body);
  asio::awaitable<bool> send(int status, std::string_view content_type, std::string_view body);
  // In the dialect of the request's path (dialect_of_path), or the one set_dialect() gave.
  asio::awaitable<bool> send_error(const Error& e);
  void set_dialect(Dialect d) { dialect_ = d; }
  Dialect dialect() const { return dialect_; }

  // Streaming response: chunked for HTTP/1.1, close-delimited for HTTP/1.0. With `hold_head`
  // the head is not written yet but goes out with the first chunk (or end_stream, or
  // flush_head): one write instead of two when the first bytes are already in hand.
  asio::awaitable<bool> start_stream(int status, std::string_view content_type,
                                     bool hold_head = false);
  asio::awaitable<bool> send_chunk(std::string_view data);
  // Writes a held head; for a stream that will wait before its first chunk.
  asio::awaitable<bool> flush_head();
  bool head_held() const { return head_held_; }
  // The last bytes (`data` then `more`, as one chunk) and the end of the body, in one write.
  asio::awaitable<bool> end_stream(std::string_view data = {}, std::string_view more = {});

  // Writes all of `buffers` (true at once for none): one non-blocking send first, the async path
  // only when the socket is full.
  asio::awaitable<bool> write(std::span<const asio::const_buffer> buffers);

  // A connection asked to close (draining, Connection: close, or an error) says so in its response.
  void set_close() { keep_alive_ = false; }
  bool keep_alive() const { return keep_alive_; }
  bool idle() const { return idle_; }
  bool head_sent() const { return head_sent_; }
  int status() const { return status_; }  // of the last response head written
  tcp::socket& socket() { return socket_; }
  DeadlineSweeper& sweeper() const { return watch_.sweeper(); }
  void close();
  const std::string& request_id() const { return request_id_; }
  // Header lines ("Name: value\r\n") added to this request's response head, whatever sends it.
  void add_response_header(std::string_view line) { response_headers_ += line; }
  void clear_response_headers() { response_headers_.clear(); }

 private:
  // The client's x-request-id, or a new one.
  void take_request_id(const Request& req);

  enum class Framing { Length, Chunked, UntilClose };
  void build_head(int status, std::string_view content_type, std::string_view extra,
                  Framing framing, std::size_t length = 0);
  // Asio's read into buffer_'s free space (the caller commits what came).
  asio::awaitable<std::tuple<boost::system::error_code, std::size_t>> read_some();
  void prepare_send(int status, std::string_view content_type,
                    std::span<const asio::const_buffer> body);
  std::span<const asio::const_buffer> stream_parts(std::string_view data, std::string_view more,
                                                   bool last);

  tcp::socket socket_;
  const ClientLimits& limits_;
  BodyPool& bodies_;
  Peer peer_;
  boost::beast::flat_buffer buffer_;
  DeadlineWatch watch_;
  std::string head_;
  std::string chunk_head_;
  std::array<asio::const_buffer, 6> parts_{};  // a stream write's buffers
  std::string request_id_;
  std::string response_headers_;  // capacity reused across requests
  std::vector<asio::const_buffer> scratch_;
  Error error_;
  unsigned version_ = 11;
  int status_ = 0;
  Dialect dialect_ = Dialect::OpenAI;
  bool keep_alive_ = true;
  bool idle_ = true;  // waiting for a request with nothing buffered: safe to close when draining
  bool head_sent_ = false;
  bool head_held_ = false;  // built, not yet written (start_stream's hold_head)
  bool chunked_ = false;
  bool body_unread_ = false;     // a refused head: its body may still be on its way
  std::uint64_t body_left_ = 0;  // a streamed body's bytes not yet read
};

// Writes a new request id into `out`: 16 hex digits, unique per process run.
void make_request_id(std::string& out);

}  // namespace fleetgate
