#include "server/http_server.h"

#include "server/heap_count.h"

#include "net/cloexec.h"

#include "server/body_pool.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/intrusive/list.hpp>

#include <spdlog/spdlog.h>

#include <cstring>

namespace fleetgate {

using error_code = boost::system::error_code;

class HttpServer::Worker {
 public:
  Worker(HttpServer& server, unsigned index)
      : server_(server),
        ioc_(1),
        sweeper_(ioc_.get_executor(), DeadlineSweeper::kDefaultTick, *server.options_.clock),
        acceptor_(ioc_),
        context_{ioc_.get_executor(),     sweeper_, server.draining_, index, &server.reload_,
                 &server.reload_executor_} {}

  error_code bind(const tcp::endpoint& ep) {
    error_code ec;
    ec = open_cloexec(acceptor_, ep.protocol());
    if (ec) return ec;
    acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
    int one = 1;
    ::setsockopt(acceptor_.native_handle(), SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
    acceptor_.bind(ep, ec);
    if (ec) return ec;
    acceptor_.listen(asio::socket_base::max_listen_connections, ec);
    return ec;
  }
  std::uint16_t port() const {
    error_code ec;
    return acceptor_.local_endpoint(ec).port();
  }

  void run() {
    handler_ = server_.factory_(context_);
    asio::co_spawn(ioc_, accept_loop(), asio::detached);
    thread_ = std::thread([this] {
      count_heap_allocations_on_this_thread();
      ioc_.run();
      handler_.reset();  // its pooled connections belong to this thread's io_context
      server_.on_worker_done();
    });
  }

  void drain() {
    asio::post(ioc_, [this] {
      error_code ignored;
      acceptor_.close(ignored);
      for (auto& c : connections_) {
        if (c.idle())
          c.close();
        else
          c.set_close();
      }
    });
  }
  void stop() { ioc_.stop(); }
  void replace_handler(HttpServer::HandlerFactory factory) {
    asio::post(ioc_, [this, factory = std::move(factory)] {
      // The old handler lives on while the requests that hold it finish.
      handler_ = std::shared_ptr<RequestHandler>(factory(context_));
    });
  }
  void join() {
    if (thread_.joinable()) thread_.join();
  }
  std::size_t active() const { return active_.load(std::memory_order_relaxed); }

 private:
  asio::awaitable<void> accept_loop() {
    asio::steady_timer pause(ioc_);
    bool starved = false;  // out of file descriptors: said once, until accepting works again
    while (acceptor_.is_open()) {
      auto [error, socket] = co_await accept_cloexec(acceptor_);
      if (error) {
        if (!acceptor_.is_open()) break;
        if (error == EMFILE || error == ENFILE || error == ENOBUFS || error == ENOMEM) {
          // The pending connection stays in the backlog, so accepting again at once would spin:
          // wait, keep serving the connections already open, and try again.
          if (!starved)
            spdlog::warn(
                "accept failed: {}; waiting for connections to close before accepting "
                "more (raise the file descriptor limit, or lower max_connections)",
                std::strerror(error));
          starved = true;
          pause.expires_after(std::chrono::milliseconds(100));
          co_await pause.async_wait(asio::as_tuple(asio::use_awaitable));
        } else {
          spdlog::warn("accept failed: {}", std::strerror(error));
        }
        continue;
      }
      if (starved) {
        spdlog::info("accepting connections again");
        starved = false;
      }
      auto admitted = server_.admit(socket);
      if (!admitted) {
        refuse(std::move(socket));
        continue;
      }
      asio::co_spawn(ioc_, session(std::move(socket), std::move(*admitted)),
                     [](std::exception_ptr e) {
                       if (!e) return;
                       try {
                         std::rethrow_exception(e);
                       } catch (const std::exception& ex) {
                         spdlog::error("connection ended by a bug: {}", ex.what());
                       }
                     });
    }
  }

  // Past a connection limit: a short 503 if the socket takes it now, then the close.
  static void refuse(tcp::socket socket) {
    static constexpr std::string_view kBusy =
        "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\n"
        "Content-Length: 110\r\nConnection: close\r\nRetry-After: 1\r\n\r\n"
        "{\"error\":{\"message\":\"Too many connections.\",\"type\":\"api_error\",\"param\":null,"
        "\"code\":\"too_many_connections\"}}";
    error_code ec;
    socket.non_blocking(true, ec);
    socket.write_some(asio::buffer(kBusy), ec);
    socket.close(ec);
  }

  // `slot` lives in the frame: the connection counts until the session ends.
  asio::awaitable<void> session(tcp::socket socket, [[maybe_unused]] ConnectionSlot slot) {
    ClientConnection conn(std::move(socket), sweeper_, server_.options_.limits, bodies_);
    connections_.push_back(conn);
    ++active_;
    struct Leave {
      Worker& w;
      ~Leave() { --w.active_; }
    } leave{*this};
    Request req;
    while (true) {
      if (server_.draining_) conn.set_close();
      const std::shared_ptr<RequestHandler> handler = handler_;  // survives a reload mid-request
      const ReadOutcome outcome = co_await conn.read_request(req, handler.get());
      if (outcome == ReadOutcome::Closed) break;
      if (outcome == ReadOutcome::Failed) {
        co_await conn.send_error(conn.error());
        co_await conn.close_refused();
        break;
      }
      if (server_.draining_) conn.set_close();
      co_await handler->handle(conn, req);
      conn.release_body(req);
      if (conn.body_left() > 0) {  // answered before its upload ended: read it off, then close
        co_await conn.close_refused();
        break;
      }
      if (!conn.keep_alive()) break;
    }
  }

  HttpServer& server_;
  asio::io_context ioc_;
  DeadlineSweeper sweeper_;
  tcp::acceptor acceptor_;
  WorkerContext context_;
  std::shared_ptr<RequestHandler> handler_;
  BodyPool bodies_;
  boost::intrusive::list<ClientConnection, boost::intrusive::constant_time_size<false>>
      connections_;
  std::atomic<std::size_t> active_{0};
  std::thread thread_;
};

HttpServer::HttpServer(Options options, HandlerFactory factory)
    : options_(std::move(options)), factory_(std::move(factory)) {}

HttpServer::ConnectionSlot::~ConnectionSlot() {
  if (!server_) return;
  server_->total_.fetch_sub(1, std::memory_order_relaxed);
  std::lock_guard lock(server_->peers_mutex_);
  if (auto it = server_->per_peer_.find(peer_); it != server_->per_peer_.end() && --it->second == 0)
    server_->per_peer_.erase(it);
}

std::optional<HttpServer::ConnectionSlot> HttpServer::admit(const tcp::socket& socket) {
  const auto& limits = options_.limits;
  if (total_.fetch_add(1, std::memory_order_relaxed) >= limits.max_connections) {
    total_.fetch_sub(1, std::memory_order_relaxed);
    warn_refused("fleetgate.max_connections", limits.max_connections);
    return std::nullopt;
  }
  error_code ec;
  const auto remote = socket.remote_endpoint(ec);
  std::string peer = ec ? std::string() : remote.address().to_string();
  bool full = false;
  {
    std::lock_guard lock(peers_mutex_);
    auto& n = per_peer_[peer];
    full = n >= limits.max_connections_per_peer;
    if (!full) ++n;
  }
  if (full) {
    total_.fetch_sub(1, std::memory_order_relaxed);
    warn_refused("fleetgate.max_connections_per_peer (" + peer + ")",
                 limits.max_connections_per_peer);
    return std::nullopt;
  }
  return ConnectionSlot(*this, std::move(peer));
}

void HttpServer::warn_refused(const std::string& what, std::uint32_t limit) {
  // Once a minute at most: a flood must not fill the log.
  const auto now = options_.clock->coarse();
  std::lock_guard lock(refusal_log_mutex_);
  if (now - last_refusal_log_ < std::chrono::minutes(1)) return;
  last_refusal_log_ = now;
  spdlog::warn("refusing new connections: {} ({}) reached; open ones are served", what, limit);
}

HttpServer::~HttpServer() { stop(); }

Result<std::uint16_t> HttpServer::start() {
  error_code ec;
  const auto address = asio::ip::make_address(options_.listen.host, ec);
  if (ec)
    return Error(Errc::Internal,
                 "cannot listen on '" + options_.listen.host + "': not an IP address");
  std::uint16_t port = options_.listen.port;
  const unsigned threads = std::max(1u, options_.threads);
  for (unsigned i = 0; i < threads; ++i) {
    auto worker = std::make_unique<Worker>(*this, i);
    // The first acceptor may pick an ephemeral port; the others join it through SO_REUSEPORT.
    if (auto bind_ec = worker->bind(tcp::endpoint(address, port))) {
      return Error(Errc::Internal, "cannot listen on " + options_.listen.host + ":" +
                                       std::to_string(port) + ": " + bind_ec.message());
    }
    port = worker->port();
    workers_.push_back(std::move(worker));
  }
  running_ = workers_.size();
  for (auto& w : workers_) w->run();
  return port;
}

void HttpServer::replace_handlers(HandlerFactory factory) {
  for (auto& w : workers_) w->replace_handler(factory);
}

void HttpServer::begin_drain() {
  draining_ = true;
  for (auto& w : workers_) w->drain();
}

void HttpServer::on_worker_done() {
  std::lock_guard lock(mutex_);
  --running_;
  done_cv_.notify_all();
}

bool HttpServer::wait_drained(Duration timeout) {
  std::unique_lock lock(mutex_);
  return done_cv_.wait_for(lock, timeout, [this] { return running_ == 0; });
}

std::size_t HttpServer::active_connections() const {
  std::size_t n = 0;
  for (const auto& w : workers_) n += w->active();
  return n;
}

void HttpServer::stop() {
  if (stopped_) return;
  stopped_ = true;
  for (auto& w : workers_) w->stop();
  for (auto& w : workers_) w->join();
}

}  // namespace fleetgate
