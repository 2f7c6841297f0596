#include "health/prober.h"

#include "health/active_health.h"
#include "net/deadline_sweeper.h"
#include "openai/model_lists.h"
#include "upstream/upstream_exchange.h"

#include <spdlog/spdlog.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <map>

namespace fleetgate {

bool is_self_hosted(std::string_view host) {
  if (host.empty()) return false;
  boost::system::error_code ec;
  const auto address = asio::ip::make_address(host, ec);
  if (!ec) {
    if (address.is_loopback()) return true;
    if (address.is_v4()) {
      const auto b = address.to_v4().to_bytes();
      return b[0] == 10 || (b[0] == 172 && b[1] >= 16 && b[1] <= 31) ||
             (b[0] == 192 && b[1] == 168) || (b[0] == 169 && b[1] == 254) ||
             (b[0] == 100 && b[1] >= 64 && b[1] <= 127);  // CGNAT, as Tailscale uses
    }
    const auto b = address.to_v6().to_bytes();
    return (b[0] & 0xfe) == 0xfc || (b[0] == 0xfe && (b[1] & 0xc0) == 0x80);
  }
  if (host == "localhost" || host.find('.') == std::string_view::npos) return true;
  for (std::string_view suffix : {".local", ".lan", ".internal", ".home.arpa", ".ts.net"})
    if (host.ends_with(suffix)) return true;
  return false;
}

struct Prober::Target {
  BackendId backend = 0;
  bool ollama = false;
  std::string base_path;  // of the first deployment: where /models lives
  std::vector<std::size_t> deployments;
  ActiveHealth health{2, 3};
  std::map<std::size_t, bool> drifted;  // by deployment: what was last reported
  bool no_slots = false;                // GET /slots answered 404: not a llama.cpp server
  bool no_props = false;                // GET /props answered 404: not a llama.cpp server
  std::vector<std::string> listed;      // the models it listed last time it listed any
  std::optional<LoadedModel> loaded;    // llama.cpp's /props: its one loaded model
  // What stop() interrupts: the loop's timer and the request in flight (prober thread only).
  asio::steady_timer* timer = nullptr;
  UpstreamExchange* in_flight = nullptr;
};

struct Prober::Impl {
  Impl(const Config& config, std::vector<Url> backends, std::vector<BackendId> backend_of,
       std::vector<std::string> request_headers, HealthBoard& health_board, asio::ssl::context& tls,
       const Clock& time)
      : settings(config.gateway.health_checks),
        deployments(config.deployments),
        headers(std::move(request_headers)),
        board(health_board),
        clock(time),
        ioc(1),
        sweeper(ioc.get_executor(), DeadlineSweeper::kDefaultTick, time),
        pool(ioc.get_executor(), sweeper, tls, backends,
             PoolSettings{settings.timeout, config.gateway.timeouts.upstream_idle, 2}, time) {
    std::map<BackendId, std::size_t> index;
    for (std::size_t i = 0; i < deployments.size(); ++i) {
      const Deployment& d = deployments[i];
      // On-demand ones are asleep most of the time: their agent says when they are ready.
      if (!is_self_hosted(d.api_base.host) || d.on_demand) continue;
      auto [it, inserted] = index.try_emplace(backend_of[i], targets.size());
      if (inserted) {
        Target t;
        t.backend = backend_of[i];
        t.base_path = d.api_base.base_path;
        t.health = ActiveHealth(settings.rise, settings.fall);
        targets.push_back(std::move(t));
      }
      Target& t = targets[it->second];
      t.deployments.push_back(i);
      if (d.provider == Provider::Ollama || d.provider == Provider::OllamaChat) t.ollama = true;
    }
  }

  struct Get {
    int status = 0;  // 0: no answer
    std::string body;
    std::string problem;
  };

  asio::awaitable<Get> get(Target& t, std::string_view path) {
    // Once stop() has aborted the request in flight, a probe must not start the next one: it
    // would wait its whole timeout on a backend that does not answer.
    if (stopping) co_return Get{0, {}, "stopping"};
    UpstreamExchange exchange(pool, t.backend, deployments[t.deployments.front()].id);
    t.in_flight = &exchange;
    struct Done {
      Target& t;
      ~Done() { t.in_flight = nullptr; }
    } done{t};
    std::string& head = exchange.head();
    head = "GET ";
    head += path;
    head += " HTTP/1.1\r\n";
    head += headers[t.deployments.front()];
    head += "x-fleetgate-probe: 1\r\n\r\n";
    const asio::const_buffer request = asio::buffer(head);
    Get out;
    auto started = co_await exchange.start(std::span(&request, 1), settings.timeout);
    if (!started) {
      out.problem = started.error().message;
      co_return out;
    }
    auto read = co_await exchange.read_body(settings.timeout);
    if (!read) {
      out.problem = read.error().message;
      co_return out;
    }
    out.status = exchange.status();
    out.body = exchange.body();
    co_return out;
  }

  asio::awaitable<void> probe(Target& t) {
    bool ok = true;
    std::string detail;
    std::optional<std::vector<std::string>> served;
    std::optional<LoadedModel> loaded;  // llama.cpp: the one model it has (it answers any name)
    std::optional<int> free_slots;
    std::vector<std::string> in_memory;
    if (t.ollama) {
      Get tags = co_await get(t, "/api/tags");
      if (tags.status == 200) served = parse_ollama_tags(tags.body);
      ok = served.has_value();
      detail = tags.status ? "GET /api/tags: " + std::to_string(tags.status) : tags.problem;
      if (ok) {  // what is in memory now: a cold model answers its first request slowly
        Get ps = co_await get(t, "/api/ps");
        if (ps.status == 200)
          if (auto names = parse_ollama_tags(ps.body)) in_memory = std::move(*names);
      }
    } else {
      Get health = co_await get(t, "/health");
      if (health.status == 0 || health.status >= 500) {
        ok = false;  // unreachable, or llama.cpp still loading its model (503)
        detail = health.status ? "GET /health: " + std::to_string(health.status) : health.problem;
      } else {
        const std::string models_path = t.base_path + "/models";
        Get models = co_await get(t, models_path);
        if (models.status == 200) served = parse_openai_model_ids(models.body);
        // A server without /health (404) must at least list its models.
        ok = served.has_value() || health.status == 200;
        detail = "GET /health: " + std::to_string(health.status) + ", GET " + models_path + ": " +
                 (models.status ? std::to_string(models.status) : models.problem);
        // llama.cpp only; others answer 404 once and are not asked again.
        if (ok && !t.no_props) {
          Get props = co_await get(t, "/props");
          if (props.status == 200)
            loaded = parse_llamacpp_props(props.body);
          else if (props.status == 404)
            t.no_props = true;
        }
        if (ok && !t.no_slots) {
          Get slots = co_await get(t, "/slots");
          if (slots.status == 200)
            free_slots = parse_llamacpp_free_slots(slots.body);
          else if (slots.status == 404)
            t.no_slots = true;
        }
      }
    }
    if (stopping) co_return;  // an aborted probe says nothing about the backend
    const auto now = clock.coarse();
    if (t.health.record(ok, now)) {
      std::string ids;
      for (std::size_t i : t.deployments) ids += (ids.empty() ? "" : ", ") + deployments[i].id;
      if (t.health.up())
        spdlog::info("backend {} is up again ({})", pool.url(t.backend).authority(), ids);
      else
        spdlog::warn("backend {} is down ({}): {}", pool.url(t.backend).authority(), ids, detail);
    }
    if (served) t.listed = *served;
    if (loaded) t.loaded = loaded;
    for (std::size_t i : t.deployments) {
      ProbeReport r;
      r.checked = true;
      r.up = t.health.up();
      r.since = t.health.since();
      r.last_probe = now;
      r.last_ok = ok;
      r.detail = detail;
      r.free_slots = free_slots;
      r.loaded = in_memory;
      r.listed = t.listed;
      if (t.loaded) r.loaded_model = t.loaded->alias.empty() ? t.loaded->path : t.loaded->alias;
      const Deployment& d = deployments[i];
      // Without a fresh listing (the backend is down), what was last known stands.
      if (served || loaded)
        r.drift = drifted(t, d);
      else
        r.drift = t.drifted[i];
      if (r.drift) r.detail += "; does not list " + d.upstream_model;
      if (r.drift != t.drifted[i]) {
        t.drifted[i] = r.drift;
        if (r.drift)
          spdlog::warn("deployment {} drifted: {} does not list model {} (it lists: {}); {}", d.id,
                       pool.url(t.backend).authority(), d.upstream_model, listing(t),
                       eject_drift() ? "not routed to it (fleetgate.health_checks.on_drift: eject)"
                                     : "still routed to it (on_drift: alert)");
        else
          spdlog::info("deployment {} lists {} again", d.id, d.upstream_model);
      }
      board.set_probe(i, std::move(r), eject_drift());
    }
  }

  bool eject_drift() const { return settings.on_drift == HealthCheckSettings::OnDrift::Eject; }

  // A deployment whose backend does not have its model: a llama.cpp server with one model
  // loaded is judged by what it has loaded (it answers any name), others by their listing
  // (aliases included). Wildcard deployments have no fixed model to look for.
  static bool drifted(const Target& t, const Deployment& d) {
    if (d.follows_request()) return false;
    const bool listed = serves_model(t.listed, d.upstream_model, t.ollama);
    if (t.loaded) return !listed && !loaded_model_is(*t.loaded, d.upstream_model);
    return !listed;
  }

  static std::string listing(const Target& t) {
    std::string out;
    for (const auto& m : t.listed) out += (out.empty() ? "" : ", ") + m;
    if (t.loaded && !t.loaded->path.empty()) out += (out.empty() ? "" : ", ") + t.loaded->path;
    return out.empty() ? "nothing" : out;
  }

  // Probes until stop(): it then cancels the timer or aborts the request in flight, and the
  // loop ends, so nothing the pool owns is left in a frame when the io_context goes.
  asio::awaitable<void> loop(Target& t, Duration offset) {
    asio::steady_timer timer(ioc, offset);  // spread the probes over the interval
    t.timer = &timer;
    while (!stopping) {
      co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
      if (stopping) break;
      co_await probe(t);
      timer.expires_after(settings.interval);
    }
    t.timer = nullptr;
  }

  void interrupt() {
    stopping = true;
    for (auto& t : targets) {
      if (t.timer) t.timer->cancel();
      if (t.in_flight) t.in_flight->abort();
    }
  }

  HealthCheckSettings settings;
  const std::vector<Deployment> deployments;
  std::vector<std::string> headers;
  HealthBoard& board;
  const Clock& clock;
  asio::io_context ioc;
  DeadlineSweeper sweeper;
  UpstreamPool pool;
  std::vector<Target> targets;
  bool stopping = false;  // prober thread only
  std::thread thread;
};

Prober::Prober(const Config& config, std::vector<Url> backends, std::vector<BackendId> backend_of,
               std::vector<std::string> request_headers, HealthBoard& board,
               asio::ssl::context& tls, const Clock& clock)
    : impl_(std::make_unique<Impl>(config, std::move(backends), std::move(backend_of),
                                   std::move(request_headers), board, tls, clock)) {}

Prober::~Prober() { stop(); }

void Prober::start() {
  if (impl_->settings.interval.count() == 0 || impl_->targets.empty()) return;
  const auto n = static_cast<Duration::rep>(impl_->targets.size());
  for (std::size_t k = 0; k < impl_->targets.size(); ++k) {
    const Duration offset(impl_->settings.interval.count() * static_cast<Duration::rep>(k) / n);
    asio::co_spawn(impl_->ioc, impl_->loop(impl_->targets[k], offset), asio::detached);
  }
  impl_->thread = std::thread([impl = impl_.get()] { impl->ioc.run(); });
}

void Prober::stop() {
  if (!impl_->thread.joinable()) return;
  // Let every loop finish (a request in flight is aborted) and run() return by itself.
  asio::post(impl_->ioc, [impl = impl_.get()] { impl->interrupt(); });
  impl_->thread.join();
}

}  // namespace fleetgate
