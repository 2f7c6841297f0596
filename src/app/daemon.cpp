#include "app/daemon.h"

#include "app/signals.h"
#include "config/loader.h"
#include "config/restart_only.h"
#include "control/agent_channel.h"
#include "core/wall_time.h"
#include "fleet/fleet_api.h"
#include "fleet/fleet_service.h"
#include "gateway/gateway.h"
#include "gateway/request_log.h"
#include "gateway/response_keeper.h"
#include "health/prober.h"
#include "server/access_log.h"
#include "server/http_router.h"

#include <boost/asio/ssl/context.hpp>
#include <boost/asio/thread_pool.hpp>

#include <spdlog/spdlog.h>

#include <algorithm>
#include <mutex>
#include <thread>

namespace fleetgate {

namespace {

ClientLimits client_limits(const GatewaySettings& g) {
  const Timeouts& t = g.timeouts;
  return ClientLimits{g.max_request_body, t.client_header,   t.client_body,
                      t.keepalive,        g.max_connections, g.max_connections_per_peer};
}

}  // namespace

// Declared in the order they are built; destroyed in reverse (the server before what its
// handlers use, the fleet service after the API that calls it).
struct ServeDaemon::Parts {
  Parts(Config config, Options o, std::unique_ptr<AccessLog> log, std::unique_ptr<Store> store)
      : options(std::move(o)),
        file_listen(options.file_listen.value_or(config.gateway.listen)),
        file_threads(options.file_threads.value_or(config.gateway.threads)),
        access_log(std::move(log)),
        fleet(config.fleet, std::move(store),
              config.fleet.token ? config.fleet.token : config.master_key),
        responses(std::make_shared<ResponseKeeper>(fleet.store())),
        state(std::make_shared<const GatewayState>(std::move(config), &agents, system_clock(),
                                                   responses)),
        server({state->config.gateway.listen, state->config.gateway.threads,
                client_limits(state->config.gateway), state->clock},
               factory(state)),
        fleet_api(fleet, [this](std::string& out) {
          auto s = current_state();
          s->metrics->append(*s, out);
        }) {
    tls.set_default_verify_paths();
    fleet.agents = &agents;
    fleet_api.draining = [this] { return server.draining(); };
    fleet_api.set_guard(state->guard);
    fleet_routes = &fleet_api;  // before server.start() builds the first routers
    server.set_reload_hook([this] { return reload(); }, reloader.get_executor());
    fleet.backend_source = [this] { return backend_reports(); };
    fleet.usage_source = [this] { return usage_rows(); };
    fleet.requests_source = [this] { return request_log.drain(); };
  }

  // Each worker's router: the gateway's routes, then the fleet API's (one FleetApi for all).
  HttpServer::HandlerFactory factory(std::shared_ptr<const GatewayState> s) {
    return [this, s](WorkerContext& worker) -> std::unique_ptr<RequestHandler> {
      auto router = std::make_unique<HttpRouter>(
          HttpRouter::Options{s->config.master_key, s->guard, fleet_routes, s->clock}, *access_log,
          worker.executor,
          [s, index = worker.index, requests = &request_log](const AccessRecord& log) {
            s->metrics->record(index, log.deployment_index, log, s->clock->steady());
            if (log.model_request) requests->add(index, log);
          });
      auto gateway = std::make_shared<Gateway>(s, worker, tls);
      gateway->add_routes(*router);
      if (fleet_routes) fleet_routes->add_routes(*router);
      router->keep(std::move(gateway));
      return router;
    };
  }

  std::shared_ptr<const GatewayState> current_state() {
    std::lock_guard lock(state_mutex);
    return state;
  }

  // Active health checks on their own thread; the request path only reads what they find.
  void start_prober(const GatewayState& s) {
    prober = std::make_unique<Prober>(s.config, s.backends, s.backend_of, s.fixed_headers,
                                      *s.health, tls, *s.clock);
    prober->start();
  }

  Result<std::string> reload();
  std::vector<BackendReport> backend_reports();
  std::vector<UsageRow> usage_rows();

  const Options options;
  // As the file says, before the command line and the core count override them: a reload of an
  // unchanged file changes neither.
  const Endpoint file_listen;
  const unsigned file_threads;
  boost::asio::ssl::context tls{boost::asio::ssl::context::tls_client};
  std::unique_ptr<AccessLog> access_log;
  AgentChannel agents;  // commands for the node agents, and their processes' states
  FleetService fleet;
  std::shared_ptr<ResponseKeeper> responses;  // the Responses API's answers, across reloads
  RequestLog request_log{system_clock()};     // each request's metadata, on its way to the store
  std::shared_ptr<const GatewayState> state;  // replaced by reloads, under state_mutex
  std::mutex state_mutex;
  std::mutex reload_mutex;  // one reload at a time (SIGHUP and POST /admin/reload)
  FleetApi* fleet_routes = nullptr;
  HttpServer server;
  FleetApi fleet_api;
  std::unique_ptr<Prober> prober;
  boost::asio::thread_pool reloader{1};  // reloads read and check files off the I/O threads
  std::shared_ptr<const GatewayState> usage_state;
  std::vector<DeploymentTotals> usage_seen;
  std::uint16_t port = 0;
  bool running = false;  // started and not yet stopped, under reload_mutex
  bool finished = false;

  // After the server has stopped: the reload executor, the prober, then the fleet service.
  void finish() {
    if (finished) return;
    finished = true;
    reloader.join();
    {
      std::lock_guard lock(reload_mutex);
      running = false;
      prober.reset();  // each worker flushes its access log lines as it ends
    }
    fleet.stop();  // commits what is queued
  }
};

Result<std::string> ServeDaemon::Parts::reload() {
  std::lock_guard lock(reload_mutex);
  if (options.config_path.empty())
    return Error(Errc::BadRequest, "This fleetgate was not started from a config file.");
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
  // What a running process cannot change stays as it is (a restart applies it), and the reload
  // says which of those the file changed.
  if (next.gateway.listen == file_listen) next.gateway.listen = state->config.gateway.listen;
  if (next.gateway.threads == file_threads) next.gateway.threads = state->config.gateway.threads;
  const std::vector<std::string> waiting = restart_only_changes(state->config, next);
  keep_restart_only(state->config, next);
  if (!is_loopback_host(next.gateway.listen.host) && !next.master_key)
    return Error(Errc::BadRequest,
                 "The new config has no master_key while fleetgate listens beyond loopback.");
  // The fleet section waits for a restart, but its tokens follow at once: a rotated key must
  // stop working now.
  fleet.set_tokens(next.fleet.token ? next.fleet.token : next.master_key, next.fleet.nodes);
  auto next_state =
      std::make_shared<const GatewayState>(std::move(next), &agents, system_clock(), responses);
  prober.reset();
  server.replace_handlers(factory(next_state));
  if (running) start_prober(*next_state);
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
}

// The fleet watch's view of each backend (read every second on its own thread).
std::vector<BackendReport> ServeDaemon::Parts::backend_reports() {
  auto s = current_state();
  std::vector<BackendReport> out;
  const auto now = s->clock->coarse();
  const bool eject =
      s->config.gateway.health_checks.on_drift == HealthCheckSettings::OnDrift::Eject;
  for (std::size_t i = 0; i < s->config.deployments.size(); ++i) {
    const auto v = s->health->view(i, now);
    BackendReport r;
    r.id = s->config.deployments[i].id;
    if (v.probe.checked) {
      const auto& d = s->config.deployments[i];
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
}

// Usage history: every minute, what each deployment did since the last time.
std::vector<UsageRow> ServeDaemon::Parts::usage_rows() {
  auto s = current_state();
  if (s != usage_state) {  // a reload starts new counters
    usage_state = s;
    usage_seen.assign(s->config.deployments.size(), DeploymentTotals{});
  }
  std::vector<UsageRow> rows;
  const auto now_ms = to_ms(s->clock->wall());
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
}

Result<std::unique_ptr<ServeDaemon>> ServeDaemon::open(Config config, Options options) {
  if (config.gateway.threads == 0)
    config.gateway.threads = std::max(1u, std::thread::hardware_concurrency());
  auto log = std::make_unique<AccessLog>(config.gateway.access_log);
  if (!log->problem().empty())
    return Error(Errc::BadRequest, "fleetgate.access_log: " + log->problem());
  auto store = Store::open(options.data_path);
  if (!store)
    return Error(Errc::BadRequest, "--data " + options.data_path + ": " + store.error().message);
  return std::unique_ptr<ServeDaemon>(new ServeDaemon(std::make_unique<Parts>(
      std::move(config), std::move(options), std::move(log), std::move(*store))));
}

ServeDaemon::ServeDaemon(std::unique_ptr<Parts> parts) : parts_(std::move(parts)) {}

ServeDaemon::~ServeDaemon() { stop(); }

Result<std::uint16_t> ServeDaemon::start() {
  Parts& p = *parts_;
  p.fleet.start();
  auto port = p.server.start();
  if (!port) {
    p.fleet.stop();
    return port;
  }
  std::lock_guard lock(p.reload_mutex);
  p.port = *port;
  p.running = true;
  p.start_prober(*p.state);
  return port;
}

void ServeDaemon::serve_until_signalled() {
  Parts& p = *parts_;
  fleetgate::serve_until_signalled(p.server, p.state->config.gateway.timeouts.drain,
                                   [&p] { (void)p.reload(); });
  p.finish();
}

void ServeDaemon::stop() {
  Parts& p = *parts_;
  if (p.finished) return;
  if (p.port != 0) {
    p.server.begin_drain();
    p.server.wait_drained(p.state->config.gateway.timeouts.drain);
    p.server.stop();
  }
  p.finish();
}

std::string ServeDaemon::url() const {
  const auto& host = parts_->state->config.gateway.listen.host;
  return "http://" + (host.find(':') != std::string::npos ? "[" + host + "]" : host) + ":" +
         std::to_string(parts_->port);
}

const Config& ServeDaemon::config() const { return parts_->state->config; }

std::size_t ServeDaemon::model_count() const { return parts_->state->routes.model_names().size(); }

}  // namespace fleetgate
