// Per-thread keep-alive pools of backend connections: no locks, most recently used first.
#pragma once

#include "config/url.h"
#include "core/clock.h"
#include "core/error.h"
#include "core/units.h"
#include "upstream/upstream_connection.h"

#include <boost/asio/ssl/context.hpp>

#include <memory>
#include <vector>

namespace fleetgate {

// A backend host as the pool sees it; several deployments may share one.
using BackendId = std::uint32_t;

struct PoolSettings {
  Duration connect_timeout = std::chrono::seconds(5);
  Duration idle_timeout = std::chrono::seconds(4);
  std::uint32_t max_idle_per_backend = 64;
};

class UpstreamPool {
 public:
  // `backends` is indexed by BackendId. Thread affinity: the executor's thread. Idle times are
  // read from `clock` (its coarse time).
  UpstreamPool(asio::any_io_executor ex, DeadlineSweeper& sweeper, asio::ssl::context& tls,
               std::vector<Url> backends, PoolSettings settings,
               const Clock& clock = system_clock());

  // A pooled connection when one is fresh enough, else a new one (connect deadline applies).
  asio::awaitable<Result<std::unique_ptr<UpstreamConnection>>> acquire(BackendId backend,
                                                                       bool fresh = false);
  // Back into the pool; only call with a connection whose last response was read completely.
  void release(BackendId backend, std::unique_ptr<UpstreamConnection> conn);

  // Reusable byte buffers for request heads and response bodies: no allocation per request.
  std::string take_buffer();
  void give_back(std::string&& buffer);

  const Url& url(BackendId backend) const { return backends_[backend]; }
  std::size_t idle(BackendId backend) const { return idle_[backend].size(); }

 private:
  asio::awaitable<Result<std::unique_ptr<UpstreamConnection>>> connect(BackendId backend);

  asio::any_io_executor ex_;
  const Clock& clock_;
  DeadlineSweeper& sweeper_;
  asio::ssl::context& tls_;
  std::vector<Url> backends_;
  PoolSettings settings_;
  std::vector<std::vector<std::unique_ptr<UpstreamConnection>>> idle_;
  std::vector<std::string> spare_buffers_;
};

}  // namespace fleetgate
