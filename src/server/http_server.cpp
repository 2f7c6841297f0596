#include "server/http_server.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/intrusive/list.hpp>

#include <spdlog/spdlog.h>

namespace fleetgate {

using error_code = boost::system::error_code;

class HttpServer::Worker {
 public:
  Worker(HttpServer& server, unsigned index)
      : server_(server),
        ioc_(1),
        sweeper_(ioc_.get_executor()),
        acceptor_(ioc_),
        context_{ioc_.get_executor(), sweeper_,     server.draining_, index,
                 &server.reload_,     server.extra_} {}

  error_code bind(const tcp::endpoint& ep) {
    error_code ec;
    acceptor_.open(ep.protocol(), ec);
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
    while (acceptor_.is_open()) {
      auto [ec, socket] = co_await acceptor_.async_accept(asio::as_tuple(asio::use_awaitable));
      if (ec) {
        if (!acceptor_.is_open()) break;
        // Out of file descriptors or similar: log and keep serving the connections we have.
        spdlog::warn("accept failed: {}", ec.message());
        continue;
      }
      asio::co_spawn(ioc_, session(std::move(socket)), [](std::exception_ptr e) {
        if (!e) return;
        try {
          std::rethrow_exception(e);
        } catch (const std::exception& ex) {
          spdlog::error("connection ended by a bug: {}", ex.what());
        }
      });
    }
  }

  asio::awaitable<void> session(tcp::socket socket) {
    ClientConnection conn(std::move(socket), sweeper_, server_.options_.limits);
    connections_.push_back(conn);
    ++active_;
    struct Leave {
      Worker& w;
      ~Leave() { --w.active_; }
    } leave{*this};
    Request req;
    while (true) {
      if (server_.draining_) conn.set_close();
      const ReadOutcome outcome = co_await conn.read_request(req);
      if (outcome == ReadOutcome::Closed) break;
      if (outcome == ReadOutcome::Failed) {
        co_await conn.send_error(conn.error());
        break;
      }
      if (server_.draining_) conn.set_close();
      const std::shared_ptr<RequestHandler> handler = handler_;  // survives a reload mid-request
      co_await handler->handle(conn, req);
      if (!conn.keep_alive()) break;
    }
  }

  HttpServer& server_;
  asio::io_context ioc_;
  DeadlineSweeper sweeper_;
  tcp::acceptor acceptor_;
  WorkerContext context_;
  std::shared_ptr<RequestHandler> handler_;
  boost::intrusive::list<ClientConnection, boost::intrusive::constant_time_size<false>>
      connections_;
  std::atomic<std::size_t> active_{0};
  std::thread thread_;
};

HttpServer::HttpServer(Options options, HandlerFactory factory)
    : options_(std::move(options)), factory_(std::move(factory)) {}

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
