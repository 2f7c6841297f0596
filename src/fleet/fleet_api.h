// The fleet's HTTP API beside the gateway's, on the same listener:
//   /ping/<uuid>[/start|/fail|/log|/<exit-status>]        healthchecks.io's ping API, GET or POST
//   /ping/<ping-key>/<slug>[/...]                         the same by slug and key
//   /ping/<slug>[/...]                                    by slug alone, from loopback clients only
//   POST /fleet/v1/heartbeat                              node agents (fleet token)
//   GET  /fleet/v1/status | /fleet/v1/alerts | /fleet/v1/silences    (fleet token)
//   POST /fleet/v1/silences, DELETE /fleet/v1/silences/<id>          (fleet token)
//   GET  /fleet/v1/agents/<node>/commands?wait_ms=N      an agent's long poll (fleet token)
//   POST /fleet/v1/agents/<node>/processes/<name>/<start|stop|restart>        (fleet token)
//   GET  /metrics                                         Prometheus text format
// One instance serves every worker; it keeps no per-request state of its own.
// Unknown /fleet/ paths are 404s, after the token check.
#pragma once

#include "fleet/fleet_service.h"
#include "server/http_router.h"
#include "server/request_guard.h"

#include <functional>
#include <memory>
#include <mutex>

namespace fleetgate {

class FleetApi : public FleetCredentials {
 public:
  // `gateway_metrics` appends the gateway's part of /metrics (may be empty).
  FleetApi(FleetService& service, std::function<void(std::string&)> gateway_metrics)
      : service_(service), gateway_metrics_(std::move(gateway_metrics)) {}

  // Registers the fleet API's routes (the router checks their tokens before the body).
  void add_routes(HttpRouter& router);
  Caller caller(std::string_view authorization, bool loopback) const override;
  bool token_set() const override { return service_.has_fleet_token(); }

  // The listener's address and fleetgate.allowed_hosts; replaced on a reload. Thread-safe.
  void set_guard(GuardSettings guard);

  // True once the server drains: long polls answer at once so shutdown does not wait on them.
  std::function<bool()> draining;

 private:
  asio::awaitable<void> ping(ClientConnection& conn, Request& req);
  asio::awaitable<void> metrics(ClientConnection& conn, Request& req);
  asio::awaitable<void> status(ClientConnection& conn, Request& req);
  asio::awaitable<void> alerts(ClientConnection& conn, Request& req);
  asio::awaitable<void> silences(ClientConnection& conn, Request& req);
  asio::awaitable<void> requests(ClientConnection& conn, Request& req);
  asio::awaitable<void> expire_silence(ClientConnection& conn, Request& req);
  asio::awaitable<void> unknown(ClientConnection& conn, Request& req);
  asio::awaitable<void> heartbeat(ClientConnection& conn, Request& req);
  asio::awaitable<void> post_silence(ClientConnection& conn, Request& req);
  asio::awaitable<void> commands(ClientConnection& conn, Request& req);
  asio::awaitable<void> control(ClientConnection& conn, Request& req);

  std::shared_ptr<const GuardSettings> guard_settings() const;

  FleetService& service_;
  std::function<void(std::string&)> gateway_metrics_;
  mutable std::mutex guard_mutex_;
  std::shared_ptr<const GuardSettings> guard_ = std::make_shared<const GuardSettings>();
};

}  // namespace fleetgate
