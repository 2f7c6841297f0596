#include "app/commands.h"
#include "app/signals.h"
#include "config/check_summary.h"
#include "config/loader.h"
#include "config/restart_only.h"
#include "control/agent_channel.h"
#include "core/wall_time.h"
#include "fleet/fleet_api.h"
#include "fleet/fleet_service.h"
#include "gateway/gateway.h"
#include "health/prober.h"
#include "server/access_log.h"
#include "server/http_router.h"

#include <boost/asio/ssl/context.hpp>

#include <spdlog/spdlog.h>

#include <malloc.h>

#include <algorithm>
#include <cstdio>
#include <mutex>
#include <thread>

namespace fleetgate {

namespace {

std::optional<Config> load_and_report(const std::string& path) {
  auto loaded = load_config_file(path);
  if (!loaded) {  // the errors and the warnings beside them, in file order
    for (const auto& issue : loaded.error()) {
      if (issue.warning)
        spdlog::warn("{}", issue.str());
      else
        spdlog::error("{}", issue.str());
    }
    return std::nullopt;
  }
  for (const auto& w : loaded->warnings) spdlog::warn("{}", w.str());
  if (loaded->deployments.empty() && !loaded->skipped.empty())
    spdlog::warn("{}", summarize_check(loaded, path).line);
  return std::move(*loaded);
}

}  // namespace

int run_check(const std::string& config_path) {
  auto loaded = load_config_file(config_path);
  // Everything on stdout, one problem a line, so that `fleetgate check` reads like a compiler.
  for (const auto& issue : loaded ? loaded->warnings : loaded.error())
    std::printf("%s\n", issue.str().c_str());
  const CheckSummary summary = summarize_check(loaded, config_path);
  std::printf("%s\n", summary.line.c_str());
  return summary.exit_code;
}

int run_serve(const ServeOptions& options) {
  // glibc raises its mmap threshold to the size of each large block freed, after which large
  // request bodies come from the heap and their memory is never returned: fix it at 1 MiB, so a
  // burst of large prompts does not stay resident after its connections go idle.
  mallopt(M_MMAP_THRESHOLD, 1 << 20);
  auto config = load_and_report(options.config_path);
  if (!config) return kExitBadConfig;
  // As the file says, before the command line and the core count override them: a reload of
  // an unchanged file changes neither.
  const Endpoint file_listen = config->gateway.listen;
  const unsigned file_threads = config->gateway.threads;
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
  config->gateway.threads = threads;  // resolved once: the gateway's metrics size by it

  boost::asio::ssl::context tls(boost::asio::ssl::context::tls_client);
  tls.set_default_verify_paths();
  AccessLog access_log(g.access_log);
  if (!access_log.problem().empty()) {
    spdlog::error("fleetgate.access_log: {}", access_log.problem());
    return kExitFailure;
  }
  auto store = Store::open(options.data_path);
  if (!store) {
    spdlog::error("--data {}: {}", options.data_path, store.error().message);
    return kExitFailure;
  }
  const FleetSettings fleet_settings = config->fleet;
  std::optional<std::string> fleet_token =
      config->fleet.token ? config->fleet.token : config->master_key;
  AgentChannel agents;  // commands for the node agents, and their processes' states
  FleetService fleet(fleet_settings, std::move(*store), fleet_token);
  fleet.agents = &agents;
  auto state = std::make_shared<const GatewayState>(std::move(*config), &agents);
  const Timeouts t = state->config.gateway.timeouts;  // a copy: a reload replaces `state`
  // Each worker's router: the gateway's routes, then the fleet API's (one FleetApi for all).
  FleetApi* fleet_routes = nullptr;
  auto make_factory = [&](std::shared_ptr<const GatewayState> s) {
    return [&tls, &access_log, &fleet_routes,
            s](WorkerContext& worker) -> std::unique_ptr<RequestHandler> {
      auto router = std::make_unique<HttpRouter>(
          HttpRouter::Options{s->config.master_key, s->guard, fleet_routes, s->clock}, access_log,
          worker.executor, [s, index = worker.index](const AccessRecord& log) {
            s->metrics->record(index, log.deployment_index, log, s->clock->steady());
          });
      auto gateway = std::make_shared<Gateway>(s, worker, tls);
      gateway->add_routes(*router);
      if (fleet_routes) fleet_routes->add_routes(*router);
      router->keep(std::move(gateway));
      return router;
    };
  };
  HttpServer server({state->config.gateway.listen, threads,
                     ClientLimits{g.max_request_body, t.client_header, t.client_body, t.keepalive,
                                  g.max_connections, g.max_connections_per_peer}},
                    make_factory(state));
  // Active health checks on their own thread; the request path only reads what they find.
  auto start_prober = [&](const GatewayState& s) {
    auto p = std::make_unique<Prober>(s.config, s.backends, s.backend_of, s.fixed_headers,
                                      *s.health, tls);
    p->start();
    return p;
  };
  std::unique_ptr<Prober> prober;
  std::mutex reload_mutex;  // one reload at a time (SIGHUP and POST /admin/reload)
  std::mutex state_mutex;   // `state` is replaced by reloads; the fleet watch reads it
  auto current_state = [&] {
    std::lock_guard lock(state_mutex);
    return state;
  };
  FleetApi fleet_api(fleet, [&](std::string& out) {
    auto s = current_state();
    s->metrics->append(*s, out);
  });
  fleet_api.draining = [&server] { return server.draining(); };
  fleet_routes = &fleet_api;  // before server.start() builds the first routers
  fleet_api.set_guard(state->guard);
  // Reads the file again, checks it, and swaps it in; on any problem the running config stays.
  const ReloadHook reload = [&]() -> Result<std::string> {
    std::lock_guard lock(reload_mutex);
    auto loaded = load_config_file(options.config_path);
    if (!loaded) {
      std::string problems;
      for (const auto& issue : loaded.error())
        problems += (problems.empty() ? "" : "; ") + issue.str();
      spdlog::error("reload refused, the running config stays: {}", problems);
      return Error(Errc::BadRequest, "The new config was refused: " + problems);
    }
    for (const auto& w : loaded->warnings) spdlog::warn("{}", w.str());
    Config next = std::move(*loaded);
    // What a running process cannot change stays as it is (a restart applies it), and the
    // reload says which of those the file changed.
    if (next.gateway.listen == file_listen) next.gateway.listen = state->config.gateway.listen;
    if (next.gateway.threads == file_threads) next.gateway.threads = state->config.gateway.threads;
    const std::vector<std::string> waiting = restart_only_changes(state->config, next);
    keep_restart_only(state->config, next);
    if (!is_loopback_host(next.gateway.listen.host) && !next.master_key)
      return Error(Errc::BadRequest,
                   "The new config has no master_key while fleetgate listens beyond loopback.");
    // The fleet section waits for a restart, but its tokens follow at once: a rotated key
    // must stop working now.
    fleet.set_tokens(next.fleet.token ? next.fleet.token : next.master_key, next.fleet.nodes);
    auto next_state = std::make_shared<const GatewayState>(std::move(next), &agents);
    prober.reset();
    server.replace_handlers(make_factory(next_state));
    prober = start_prober(*next_state);
    {
      std::lock_guard state_lock(state_mutex);
      state = next_state;
    }
    fleet_api.set_guard(state->guard);
    std::string summary = std::to_string(state->config.deployments.size()) + " deployments, " +
                          std::to_string(state->routes.model_names().size()) + " models";
    if (!waiting.empty()) {
      std::string keys;
      for (const auto& k : waiting) keys += (keys.empty() ? "" : ", ") + k;
      summary += "; changed but kept until a restart: " + keys;
      spdlog::warn("reload: {} changed; a restart applies it", keys);
    }
    spdlog::info("config reloaded: {}", summary);
    return summary;
  };
  server.set_reload_hook(reload);
  // The fleet watch: its own threads; it reads the gateway's view of each backend every second.
  fleet.backend_source = [&] {
    auto s = current_state();
    std::vector<BackendReport> out;
    const auto now = CoarseClock::now();
    for (std::size_t i = 0; i < s->config.deployments.size(); ++i) {
      const auto v = s->health->view(i, now);
      BackendReport r;
      r.id = s->config.deployments[i].id;
      if (v.probe.checked) {
        const auto& d = s->config.deployments[i];
        const bool eject =
            s->config.gateway.health_checks.on_drift == HealthCheckSettings::OnDrift::Eject;
        r.up = v.probe.up && !(v.probe.drift && eject);
        r.reason = v.probe.detail;
        if (v.probe.drift) {
          r.drift = ModelDriftReport{d.upstream_model, v.probe.listed, eject};
          auto& listed = r.drift->listed;
          if (!v.probe.loaded_model.empty() &&
              std::find(listed.begin(), listed.end(), v.probe.loaded_model) == listed.end())
            listed.push_back(v.probe.loaded_model);
          r.reason += eject ? " (not routed to it)" : " (still routed to it)";
        }
      } else {
        r.up = v.state != PassiveHealth::State::CoolingDown;
        r.reason = r.up ? "answering" : "cooling down after failed requests";
      }
      out.push_back(std::move(r));
    }
    return out;
  };
  // Usage history: every minute, what each deployment did since the last time.
  std::shared_ptr<const GatewayState> usage_state;
  std::vector<DeploymentTotals> usage_seen;
  fleet.usage_source = [&] {
    auto s = current_state();
    if (s != usage_state) {  // a reload starts new counters
      usage_state = s;
      usage_seen.assign(s->config.deployments.size(), DeploymentTotals{});
    }
    std::vector<UsageRow> rows;
    const auto now_ms = to_ms(FleetClock::now());
    for (std::size_t i = 0; i < s->config.deployments.size(); ++i) {
      const auto total = s->metrics->totals(i);
      auto& seen = usage_seen[i];
      if (total.requests == seen.requests) continue;
      const auto& d = s->config.deployments[i];
      UsageRow r;
      r.deployment = d.id;
      r.minute_ms = now_ms - now_ms % 60'000;
      r.requests = static_cast<std::int64_t>(total.requests - seen.requests);
      r.errors = static_cast<std::int64_t>(total.errors - seen.errors);
      r.prompt_tokens = static_cast<std::int64_t>(total.prompt_tokens - seen.prompt_tokens);
      r.completion_tokens =
          static_cast<std::int64_t>(total.completion_tokens - seen.completion_tokens);
      // Busy time: request time spread over the backend's parallel slots (1 unless limited).
      r.busy_ms = static_cast<std::int64_t>((total.busy_us - seen.busy_us) / 1000 /
                                            d.max_parallel_requests.value_or(1));
      seen = total;
      rows.push_back(std::move(r));
    }
    return rows;
  };
  fleet.start();
  auto port = server.start();
  if (!port) {
    spdlog::error("{}", port.error().message);
    fleet.stop();
    return kExitFailure;
  }
  const auto& host = state->config.gateway.listen.host;
  spdlog::info("fleetgate listening on http://{}:{} ({} threads, {} deployments, {} models)",
               host.find(':') != std::string::npos ? "[" + host + "]" : host, *port, threads,
               state->config.deployments.size(), state->routes.model_names().size());
  prober = start_prober(*state);
  serve_until_signalled(server, t.drain, [&] { (void)reload(); });
  {
    std::lock_guard lock(reload_mutex);
    prober.reset();  // each worker flushes its access log lines as it ends
  }
  fleet.stop();  // commits what is queued
  return kExitOk;
}

}  // namespace fleetgate
