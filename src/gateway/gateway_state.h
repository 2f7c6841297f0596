// Everything the gateway derives from a Config once, shared read-only by every worker thread.
#pragma once

#include "config/config.h"
#include "core/clock.h"
#include "gateway/gateway_metrics.h"
#include "health/health_board.h"
#include "routing/route_table.h"
#include "server/request_guard.h"
#include "upstream/upstream_pool.h"

#include <atomic>
#include <memory>
#include <string>
#include <vector>

namespace fleetgate {

class AgentChannel;
class ResponseKeeper;
class ProviderAdapter;

struct GatewayState {
  Config config;
  RouteTable routes;
  std::vector<Url> backends;          // by BackendId: distinct scheme+host+port (base path unused)
  std::vector<BackendId> backend_of;  // by DeploymentIndex
  std::vector<std::string> labels;    // by DeploymentIndex: "name#1 (host:port)" for messages
  std::vector<std::string>
      model_json;  // by DeploymentIndex: upstream model as a JSON string literal
  std::vector<std::string> fixed_headers;  // by DeploymentIndex: Host + Authorization lines
  std::vector<std::string> served_by;      // by DeploymentIndex: the x-fleetgate-deployment line
  // By DeploymentIndex: the request's whole time there (its timeout, router_settings.timeout,
  // or fleetgate.timeouts.request), across retries.
  std::vector<Duration> whole_timeout;
  std::vector<const ProviderAdapter*> provider;  // by DeploymentIndex: its dialect's adapter
  // By DeploymentIndex: the backend refused stream_options (asked once, then not again).
  std::unique_ptr<std::atomic<bool>[]> refuses_usage_option;
  std::shared_ptr<HealthBoard> health;  // mutable, thread-safe: shared by every worker
  // Mutable: one block per worker; config.gateway.threads must be resolved (not 0) by then.
  std::unique_ptr<GatewayMetrics> metrics;
  // For the auto router: by tier, the models to fall through to after it (the tiers above,
  // then the ones below, nearest first).
  std::vector<std::vector<std::string>> auto_fallthrough;
  GuardSettings guard;       // what browsers may not do (cross-site, DNS rebinding)
  std::string models_body;   // GET /v1/models
  std::string ollama_tags;   // GET /api/tags
  std::string ollama_ps;     // GET /api/ps
  std::int64_t created = 0;  // start time, for /v1/models

  // Responses API answers kept (store: true); shared across reloads.
  std::shared_ptr<ResponseKeeper> responses;

  // The control plane's channel to the node agents (on-demand backends); null without one.
  AgentChannel* agents = nullptr;

  // Where the gateway reads the time (tests: a ManualClock).
  const Clock* clock = &system_clock();

  // Without `responses`, answers are kept in memory only.
  explicit GatewayState(Config c, AgentChannel* agent_channel = nullptr,
                        const Clock& clock = system_clock(),
                        std::shared_ptr<ResponseKeeper> responses = nullptr);
};

}  // namespace fleetgate
