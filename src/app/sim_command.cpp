#include "app/commands.h"
#include "app/signals.h"
#include "config/url.h"

#include <spdlog/spdlog.h>

namespace fleetgate {

int run_sim(const SimCommandOptions& options) {
  if (options.fail_start) {
    spdlog::error("sim: refusing to start (--fail-start)");
    return kExitFailure;
  }
  std::string problem;
  auto hp = parse_host_port(options.listen, problem);
  if (!hp) {
    spdlog::error("--listen {}: {}", options.listen, problem);
    return kExitBadConfig;
  }
  if (!is_loopback_host(hp->host)) {
    spdlog::error("sim: listens on loopback only, not {}", hp->host);
    return kExitBadConfig;
  }
  SimRecord record;
  // A backend stands behind one gateway, a single peer with as many connections as streams:
  // no per-peer bound (the default 1,024 refused the bench's 1,000 streams plus pool churn).
  ClientLimits limits;
  limits.max_connections = 16384;
  limits.max_connections_per_peer = 16384;
  HttpServer server({Endpoint{hp->host, hp->port}, std::max(1u, options.threads), limits},
                    [&](WorkerContext& worker) -> std::unique_ptr<RequestHandler> {
                      return std::make_unique<SimBackend>(options.sim, record, worker);
                    });
  auto port = server.start();
  if (!port) {
    spdlog::error("{}", port.error().message);
    return kExitFailure;
  }
  spdlog::info("sim listening on http://{}:{} (models: {})", hp->host, *port,
               fmt::join(options.sim.models, ", "));
  serve_until_signalled(server, std::chrono::seconds(5));
  return kExitOk;
}

}  // namespace fleetgate
