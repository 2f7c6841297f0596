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
#pragma once

#include "fleet/fleet_service.h"
#include "server/request_guard.h"
#include "server/request_handler.h"

#include <functional>
#include <memory>
#include <mutex>

namespace fleetgate {

class FleetApi : public RequestHandler {
 public:
  // `gateway_metrics` appends the gateway's part of /metrics (may be empty).
  FleetApi(FleetService& service, std::function<void(std::string&)> gateway_metrics)
      : service_(service), gateway_metrics_(std::move(gateway_metrics)) {}

  // Before the body: the token (a missing or wrong one is refused here), then what browsers
  // may not do (cross-site writes and pings; a rebinding Host while loopback is trusted).
  std::optional<Error> check_head(const Request& req, const Peer& peer) const override;
  asio::awaitable<void> handle(ClientConnection& conn, Request& req) override;

  // The listener's address and fleetgate.allowed_hosts; replaced on a reload. Thread-safe.
  void set_guard(GuardSettings guard);

  // True once the server drains: long polls answer at once so shutdown does not wait on them.
  std::function<bool()> draining;

 private:
  asio::awaitable<void> ping(ClientConnection& conn, Request& req, asio::ip::address peer,
                             bool loopback);
  asio::awaitable<void> fleet(ClientConnection& conn, Request& req, bool loopback);
  asio::awaitable<void> heartbeat(ClientConnection& conn, Request& req, FleetService::Caller who);
  asio::awaitable<void> post_silence(ClientConnection& conn, Request& req);
  asio::awaitable<void> commands(ClientConnection& conn, Request& req, FleetService::Caller who);
  asio::awaitable<void> control(ClientConnection& conn, Request& req);

  std::shared_ptr<const GuardSettings> guard_settings() const;

  FleetService& service_;
  std::function<void(std::string&)> gateway_metrics_;
  mutable std::mutex guard_mutex_;
  std::shared_ptr<const GuardSettings> guard_ = std::make_shared<const GuardSettings>();
};

}  // namespace fleetgate
