// The listener: one io_context and one SO_REUSEPORT acceptor per thread (no strands, no shared
// queues), keep-alive sessions, and a graceful drain on stop.
#pragma once

#include "config/config.h"
#include "core/error.h"
#include "net/deadline_sweeper.h"
#include "server/client_limits.h"
#include "server/request_handler.h"

#include <boost/asio/io_context.hpp>

#include <atomic>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace fleetgate {

// Per-thread facilities a handler may use. Thread affinity: that worker's thread.
// Reloads the configuration; returns a summary, or the config's problems (the old one stays).
// Runs on whatever thread calls it; the composition root provides it.
using ReloadHook = std::function<Result<std::string>()>;

struct WorkerContext {
  asio::any_io_executor executor;
  DeadlineSweeper& sweeper;
  const std::atomic<bool>& draining;
  unsigned index;
  const ReloadHook* reload = nullptr;  // POST /admin/reload; null when reloading is not offered
  const asio::any_io_executor* reload_executor = nullptr;  // where the hook runs (not I/O threads)
};

class HttpServer {
 public:
  struct Options {
    Endpoint listen;
    unsigned threads = 1;
    ClientLimits limits;
    const Clock* clock = &system_clock();  // idle and body deadlines, refusal-log pacing
  };
  using HandlerFactory = std::function<std::unique_ptr<RequestHandler>(WorkerContext&)>;

  HttpServer(Options options, HandlerFactory factory);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds (port 0 picks one) and starts the worker threads; returns the bound port.
  Result<std::uint16_t> start();

  // Stops accepting, closes idle connections, and lets in-flight requests finish. Thread-safe.
  void begin_drain();
  // Waits until every worker has run out of work (after begin_drain), at most `timeout`.
  bool wait_drained(Duration timeout);
  // Ends everything now (after a drain deadline), then joins the threads.
  void stop();

  // Installs handlers from `factory` on every worker, each on its own thread. Requests already
  // running finish on the handler they started with; new ones get the new handler.
  void replace_handlers(HandlerFactory factory);
  // The hook runs on `where` (its owner's executor, off the I/O threads). Before start().
  void set_reload_hook(ReloadHook hook, asio::any_io_executor where) {
    reload_ = std::move(hook);
    reload_executor_ = std::move(where);
  }

  bool draining() const { return draining_; }
  std::size_t active_connections() const;

 private:
  class Worker;
  void on_worker_done();

  // One admitted connection, counted against the limits until it is destroyed.
  class ConnectionSlot {
   public:
    ConnectionSlot(HttpServer& server, std::string peer)
        : server_(&server), peer_(std::move(peer)) {}
    ConnectionSlot(ConnectionSlot&& o) noexcept
        : server_(std::exchange(o.server_, nullptr)), peer_(std::move(o.peer_)) {}
    ConnectionSlot(const ConnectionSlot&) = delete;
    ConnectionSlot& operator=(const ConnectionSlot&) = delete;
    ConnectionSlot& operator=(ConnectionSlot&&) = delete;
    ~ConnectionSlot();

   private:
    HttpServer* server_;
    std::string peer_;
  };
  // Counts a new connection in, or nullopt past max_connections or max_connections_per_peer.
  std::optional<ConnectionSlot> admit(const tcp::socket& socket);
  void warn_refused(const std::string& what, std::uint32_t limit);

  Options options_;
  HandlerFactory factory_;
  ReloadHook reload_;
  asio::any_io_executor reload_executor_;
  std::vector<std::unique_ptr<Worker>> workers_;
  std::atomic<bool> draining_{false};
  std::mutex mutex_;
  std::condition_variable done_cv_;
  std::size_t running_ = 0;  // worker threads whose io_context still has work; guarded by mutex_
  bool stopped_ = false;
  std::atomic<std::uint32_t> total_{0};  // open connections, all workers
  std::mutex peers_mutex_;               // guards the two below; taken at accept and close only
  std::map<std::string, std::uint32_t> per_peer_;
  std::mutex refusal_log_mutex_;  // guards the one below
  CoarseClock::time_point last_refusal_log_{};
};

}  // namespace fleetgate
