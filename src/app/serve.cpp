#include "app/commands.h"
#include "app/signals.h"
#include "config/loader.h"
#include "health/prober.h"
#include "server/access_log.h"
#include "server/gateway.h"

#include <boost/asio/ssl/context.hpp>

#include <spdlog/spdlog.h>

#include <thread>

namespace fleetgate {

namespace {

std::optional<Config> load_and_report(const std::string& path) {
  auto loaded = load_config_file(path);
  if (!loaded) {
    for (const auto& issue : loaded.error()) spdlog::error("{}", issue.str());
    return std::nullopt;
  }
  for (const auto& w : loaded->warnings) spdlog::warn("{}", w.str());
  return std::move(*loaded);
}

}  // namespace

int run_check(const std::string& config_path) {
  auto config = load_and_report(config_path);
  if (!config) return kExitBadConfig;
  spdlog::info("{}: ok ({} deployments, {} models)", config_path, config->deployments.size(),
               RouteTable(*config).model_names().size());
  return kExitOk;
}

int run_serve(const ServeOptions& options) {
  auto config = load_and_report(options.config_path);
  if (!config) return kExitBadConfig;
  if (options.listen) {
    std::string problem;
    auto hp = parse_host_port(*options.listen, problem);
    if (!hp) {
      spdlog::error("--listen {}: {}", *options.listen, problem);
      return kExitBadConfig;
    }
    config->gateway.listen = Endpoint{hp->host, hp->port};
  }
  if (options.threads) config->gateway.threads = *options.threads;
  const auto& g = config->gateway;
  if (!is_loopback_host(g.listen.host) && !config->master_key) {
    spdlog::error("refusing to listen on {} (beyond loopback) without general_settings.master_key",
                  g.listen.host);
    return kExitBadConfig;
  }
  const unsigned threads =
      g.threads ? g.threads : std::max(1u, std::thread::hardware_concurrency());

  boost::asio::ssl::context tls(boost::asio::ssl::context::tls_client);
  tls.set_default_verify_paths();
  AccessLog access_log(g.access_log);
  if (!access_log.problem().empty()) {
    spdlog::error("fleetgate.access_log: {}", access_log.problem());
    return kExitFailure;
  }
  auto state = std::make_shared<const GatewayState>(std::move(*config));
  const auto& t = state->config.gateway.timeouts;
  HttpServer server({state->config.gateway.listen, threads,
                     ClientLimits{g.max_request_body, t.client_header, t.client_body, t.keepalive}},
                    [&](WorkerContext& worker) -> std::unique_ptr<RequestHandler> {
                      return std::make_unique<Gateway>(state, worker, tls, access_log);
                    });
  auto port = server.start();
  if (!port) {
    spdlog::error("{}", port.error().message);
    return kExitFailure;
  }
  const auto& host = state->config.gateway.listen.host;
  spdlog::info("fleetgate listening on http://{}:{} ({} threads, {} deployments, {} models)",
               host.find(':') != std::string::npos ? "[" + host + "]" : host, *port, threads,
               state->config.deployments.size(), state->routes.model_names().size());
  // Active health checks on their own thread; the request path only reads what they find.
  Prober prober(state->config, state->backends, state->backend_of, state->fixed_headers,
                *state->health, tls);
  prober.start();
  serve_until_signalled(server, t.drain);
  prober.stop();  // each worker flushes its access log lines as it ends
  return kExitOk;
}

}  // namespace fleetgate
