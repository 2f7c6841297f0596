#include "server/gateway.h"

#include "control/agent_channel.h"

#include "core/json_escape.h"
#include "core/text_forms.h"
#include "openai/anthropic.h"
#include "openai/backend_errors.h"
#include "openai/error_json.h"
#include "openai/ndjson.h"
#include "openai/ollama.h"
#include "openai/request_scan.h"
#include "openai/sse.h"
#include "routing/auto_router.h"
#include "routing/balancer.h"
#include "routing/client_retry.h"
#include "routing/fallback_chain.h"
#include "routing/upstream_model.h"
#include "upstream/upstream_exchange.h"

#include <openssl/crypto.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/http/verb.hpp>
#include <boost/container/static_vector.hpp>

#include <sys/socket.h>

#include <array>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace fleetgate {

namespace http = boost::beast::http;
using Clock = std::chrono::steady_clock;

namespace {

Duration remaining(Clock::time_point deadline) {
  return std::max(Duration(1), std::chrono::duration_cast<Duration>(deadline - Clock::now()));
}

bool is_event_stream(std::string_view content_type) {
  return content_type.starts_with("text/event-stream");
}

std::string_view endpoint_path(ApiKind kind) {
  switch (kind) {
    case ApiKind::Chat: return "/chat/completions";
    case ApiKind::Completion: return "/completions";
    case ApiKind::Embedding: return "/embeddings";
  }
  return "/chat/completions";
}

}  // namespace

// Watches a streaming client for as long as it lives: a client that hangs up aborts the
// backend request at once, even while the backend is silent. Each attempt points it at its own
// exchange; the shared state outlives a completion that arrives after the scope is gone.
class ClientWatchScope {
 public:
  struct State {
    UpstreamExchange* exchange = nullptr;
    bool gone = false;
  };

  explicit ClientWatchScope(tcp::socket& socket) : state_(std::make_shared<State>()) {
    socket.async_wait(
        tcp::socket::wait_read,
        asio::bind_cancellation_slot(
            stop_.slot(), [&socket, state = state_](const boost::system::error_code& ec) {
              if (ec) return;
              char byte;
              const auto n = ::recv(socket.native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
              if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)) {
                state->gone = true;
                if (state->exchange) state->exchange->abort();
              }
              // n > 0: the client pipelined its next request; it is still there.
            }));
  }
  ~ClientWatchScope() {
    state_->exchange = nullptr;
    stop_.emit(asio::cancellation_type::all);
  }
  ClientWatchScope(const ClientWatchScope&) = delete;
  ClientWatchScope& operator=(const ClientWatchScope&) = delete;
  void watch(UpstreamExchange* exchange) {
    state_->exchange = exchange;
    if (exchange && state_->gone) exchange->abort();  // it left between two attempts
  }
  bool gone() const { return state_->gone; }

 private:
  std::shared_ptr<State> state_;
  asio::cancellation_signal stop_;
};

struct Gateway::Call {
  ClientConnection& conn;
  Request& req;
  ApiKind kind;
  DeploymentIndex index;
  const Deployment& deployment;
  const RequestFields& fields;
  AccessRecord& log;
  UpstreamExchange exchange;
  Clock::time_point deadline;
  Clock::time_point started;  // this attempt's start, for its time to first byte
  Duration first_byte;
  Duration stream_gap;
  const ClientWatchScope* watching = nullptr;  // streams: the client is watched from the start
  std::array<asio::const_buffer, 4> parts{};   // the request as it goes out (gather write)
  std::size_t part_count = 0;
  // A wildcard deployment's model for this request (and as a JSON string); empty for the others.
  std::string upstream_model;
  std::string upstream_json;
  const std::string& model() const {
    return upstream_model.empty() ? deployment.upstream_model : upstream_model;
  }
};

// What one attempt came to. Not committed: nothing reached the client, so proxy() may try
// elsewhere, and otherwise answers with `error` (ours) or the backend's status and body.
struct Gateway::Failure {
  std::optional<Error> error;  // ours (connect, deadline, protocol), or else
  int status = 0;              // the backend's own answer, passed through
  std::string body;
  std::string content_type;
};

struct Gateway::Attempt {
  bool committed = false;
  bool retryable = false;
  bool context_window = false;
  std::optional<Outcome> health;  // what it says about the deployment
  std::optional<Duration> retry_after;
  std::unique_ptr<Failure> failure;  // on the heap: failures are rare, coroutine frames small

  static Attempt success() {
    Attempt a;
    a.committed = true;
    a.health = Outcome::Success;
    return a;
  }
  static Attempt streamed(bool finished) {
    Attempt a;
    a.committed = true;
    a.health = finished ? Outcome::Success : Outcome::Failure;
    return a;
  }
  static Attempt failed(Error e) {
    Attempt a;
    a.failure = std::make_unique<Failure>();
    a.failure->error = std::move(e);
    return a;
  }
};

Gateway::Gateway(std::shared_ptr<const GatewayState> state, WorkerContext& worker,
                 asio::ssl::context& tls, AccessLog& access_log)
    : state_(std::move(state)),
      worker_(worker),
      pool_(worker.executor, worker.sweeper, tls, state_->backends,
            PoolSettings{state_->config.gateway.timeouts.connect,
                         state_->config.gateway.timeouts.upstream_idle,
                         state_->config.gateway.max_idle_upstream_per_backend}),
      access_log_(access_log, worker.executor),
      rng_(std::random_device{}()),
      strategy_(parse_strategy(state_->config.router.routing_strategy)) {
  counts_usage_ = strategy_ == Strategy::UsageBased;
  for (const auto& d : state_->config.deployments) counts_usage_ |= d.rpm || d.tpm;
}

bool Gateway::serves(std::string_view model_name) const {
  if (!model_name.empty() && model_name == state_->config.gateway.auto_router.model_name)
    return true;
  const auto* members = state_->routes.candidates(model_name);
  if (!members) return false;
  for (DeploymentIndex i : *members)  // a bare "*" deployment takes only its provider's names
    if (takes_request(state_->config.deployments[i], model_name)) return true;
  return false;
}

bool Gateway::authorized(const Request& req) const {
  const auto& key = state_->config.master_key;
  if (!key) return true;
  std::string_view given = req.authorization;
  if (given.size() < 7 || !boost::beast::iequals(given.substr(0, 7), "Bearer ")) return false;
  given.remove_prefix(7);
  // Constant time in the key's contents; only its length can leak.
  if (given.size() != key->size()) return CRYPTO_memcmp(key->data(), key->data(), key->size()) != 0;
  return CRYPTO_memcmp(given.data(), key->data(), key->size()) == 0;
}

namespace {

std::optional<ApiKind> api_kind_of(std::string_view path) {
  if (path.starts_with("/v1")) path.remove_prefix(3);
  if (path == "/chat/completions") return ApiKind::Chat;
  if (path == "/completions") return ApiKind::Completion;
  if (path == "/embeddings") return ApiKind::Embedding;
  return std::nullopt;
}

// A path that may carry a ping's secret: "ping/" anywhere in any case (//ping/<uuid>,
// /PING/<key>/<slug>), or a UUID-shaped segment.
bool ping_shaped(std::string_view path) {
  for (std::size_t i = 0; i + 5 <= path.size(); ++i)
    if (boost::beast::iequals(path.substr(i, 5), "ping/")) return true;
  for (std::size_t start = 0; start < path.size();) {
    const auto end = std::min(path.find('/', start), path.size());
    if (end - start >= 36)
      for (std::size_t k = start; k + 36 <= end; ++k)
        if (is_uuid(path.substr(k, 36))) return true;
    start = end + 1;
  }
  return false;
}

bool is_extra_path(std::string_view path) {
  return path.starts_with("/ping/") || path.starts_with("/fleet/") || path == "/metrics";
}

// The paths a master key guards (when one is set).
bool needs_key(std::string_view path) {
  return api_kind_of(path) || path == "/v1/models" || path == "/models" ||
         path.starts_with("/v1/models/") || path.starts_with("/admin/");
}

}  // namespace

std::optional<Error> Gateway::check_head(const Request& req, const Peer& peer) const {
  const std::string_view path = req.path();
  if (worker_.extra && is_extra_path(path)) return worker_.extra->check_head(req, peer);
  if (path.starts_with("/health/")) return std::nullopt;
  const bool key = state_->config.master_key.has_value();
  if (key && needs_key(path) && !authorized(req))
    return Error(Errc::Unauthorized,
                 "Missing or invalid API key. Send 'Authorization: Bearer <key>'.");
  const bool writes = req.method != http::verb::get && req.method != http::verb::head;
  return guard(req, state_->guard, writes, !key, path.starts_with("/admin/"));
}

// What the gateway answers itself, decided without suspending (keeps handle()'s frame small).
struct Gateway::LocalReply {
  std::optional<ApiKind> proxy;  // set: relay to a backend instead
  bool reload = false;           // set: POST /admin/reload
  bool extra = false;            // set: the fleet API answers
  std::optional<Error> error;
  int status = 200;
  std::string_view body;
  std::string owned_body;
};

Gateway::LocalReply Gateway::answer(const Request& req) const {
  LocalReply r;
  const std::string_view path = req.path();
  const bool get = req.method == http::verb::get;
  const bool post = req.method == http::verb::post;
  auto unauthorized = [] {
    return Error(Errc::Unauthorized,
                 "Missing or invalid API key. Send 'Authorization: Bearer <key>'.");
  };
  if (worker_.extra && is_extra_path(path)) {
    r.extra = true;
  } else if (auto kind = api_kind_of(path)) {
    if (!post)
      r.error = Error(Errc::MethodNotAllowed, "Use POST for " + std::string(path) + ".");
    else if (!authorized(req))
      r.error = unauthorized();
    else
      r.proxy = kind;
  } else if (path == "/v1/models" || path == "/models") {
    if (!get)
      r.error = Error(Errc::MethodNotAllowed, "Use GET for " + std::string(path) + ".");
    else if (!authorized(req))
      r.error = unauthorized();
    else
      r.body = state_->models_body;
  } else if (path.starts_with("/v1/models/")) {
    const std::string_view id = path.substr(11);
    if (!authorized(req)) {
      r.error = unauthorized();
    } else if (!serves(id)) {
      r.error = Error(Errc::ModelNotFound, "The model '" + std::string(id) + "' does not exist.",
                      "model");
    } else {
      r.owned_body = "{\"id\":" + json_string(id) +
                     ",\"object\":\"model\",\"created\":" + std::to_string(state_->created) +
                     ",\"owned_by\":\"fleetgate\"}";
      r.body = r.owned_body;
    }
  } else if (path == "/admin/reload") {
    if (!post)
      r.error = Error(Errc::MethodNotAllowed, "Use POST for " + std::string(path) + ".");
    else if (!authorized(req))
      r.error = unauthorized();
    else if (!worker_.reload || !*worker_.reload)
      r.error = Error(Errc::NotImplemented, "Reloading is not available in this process.");
    else
      r.reload = true;
  } else if (path == "/admin/backends") {
    if (!get)
      r.error = Error(Errc::MethodNotAllowed, "Use GET for " + std::string(path) + ".");
    else if (!authorized(req))
      r.error = unauthorized();
    else {
      r.owned_body = backends_json();
      r.body = r.owned_body;
    }
  } else if (path == "/health/liveliness" || path == "/health/liveness") {
    r.body = "\"I'm alive!\"";
  } else if (path == "/health/readiness") {
    r.status = worker_.draining ? 503 : 200;
    r.body = worker_.draining ? "{\"status\":\"draining\"}" : "{\"status\":\"healthy\"}";
  } else {
    r.error = Error(Errc::NotFound, "Unknown path " + std::string(path) + ".");
  }
  return r;
}

std::string Gateway::backends_json() const {
  const auto now = CoarseClock::now();
  const auto wall = std::chrono::system_clock::now();
  auto wall_of = [&](CoarseClock::time_point t) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               (wall + (t - now)).time_since_epoch())
        .count();
  };
  std::string out = "{\"object\":\"list\",\"data\":[";
  const auto& deployments = state_->config.deployments;
  for (std::size_t i = 0; i < deployments.size(); ++i) {
    const Deployment& d = deployments[i];
    const DeploymentHealthView v = state_->health->view(i, now);
    if (i) out += ',';
    out += "{\"id\":";
    append_json_string(out, d.id);
    out += ",\"model_name\":";
    append_json_string(out, d.model_name);
    out += ",\"api_base\":";
    append_json_string(out, d.api_base.authority() + d.api_base.base_path);
    out += ",\"state\":";
    out += v.state == PassiveHealth::State::Healthy       ? "\"healthy\""
           : v.state == PassiveHealth::State::CoolingDown ? "\"cooling_down\""
                                                          : "\"half_open\"";
    if (v.changed_at != CoarseClock::time_point{})
      out += ",\"since_ms\":" + std::to_string(wall_of(v.changed_at));
    if (v.state == PassiveHealth::State::CoolingDown)
      out += ",\"cooling_until_ms\":" + std::to_string(wall_of(v.cooling_until));
    if (!v.probe.checked) {
      out += ",\"active\":\"unchecked\"";
    } else {
      out += v.probe.up ? ",\"active\":\"up\"" : ",\"active\":\"down\"";
      if (v.probe.since != CoarseClock::time_point{})
        out += ",\"active_since_ms\":" + std::to_string(wall_of(v.probe.since));
      out += ",\"last_probe_ms\":" + std::to_string(wall_of(v.probe.last_probe));
      out += v.probe.last_ok ? ",\"last_probe_ok\":true" : ",\"last_probe_ok\":false";
      out += ",\"last_probe\":";
      append_json_string(out, v.probe.detail);
      out += v.probe.drift ? ",\"drift\":true" : ",\"drift\":false";
      out += ",\"listed\":[";
      for (std::size_t k = 0; k < v.probe.listed.size(); ++k) {
        if (k) out += ',';
        append_json_string(out, v.probe.listed[k]);
      }
      out += ']';
      if (!v.probe.loaded_model.empty()) {
        out += ",\"loaded_model\":";
        append_json_string(out, v.probe.loaded_model);
      }
      if (v.probe.free_slots) out += ",\"free_slots\":" + std::to_string(*v.probe.free_slots);
      if (!v.probe.loaded.empty()) {
        out += ",\"loaded\":[";
        for (std::size_t k = 0; k < v.probe.loaded.size(); ++k) {
          if (k) out += ',';
          append_json_string(out, v.probe.loaded[k]);
        }
        out += ']';
      }
    }
    // What choose() acts on: whether new requests may go there now.
    out += state_->health->available(i, now) ? ",\"routed\":true" : ",\"routed\":false";
    if (v.ttfb_ewma_ms >= 0) out += fmt::format(",\"ttfb_ewma_ms\":{:.1f}", v.ttfb_ewma_ms);
    out += ",\"strikes\":" + std::to_string(v.strikes) +
           ",\"in_flight\":" + std::to_string(v.in_flight) +
           ",\"failures_total\":" + std::to_string(v.failures_total) + "}";
  }
  out += "]}";
  return out;
}

asio::awaitable<void> Gateway::reload(ClientConnection& conn, AccessRecord& log) {
  // Reading and checking the file happens off the I/O threads.
  static asio::thread_pool reloader(1);
  const ReloadHook* hook = worker_.reload;
  Result<std::string> result = co_await asio::co_spawn(
      reloader.get_executor(),
      [hook]() -> asio::awaitable<Result<std::string>> { co_return (*hook)(); },
      asio::use_awaitable);
  if (!result) {
    log.error = result.error().message;
    co_await conn.send_error(result.error());
    co_return;
  }
  co_await conn.send(200, "application/json",
                     "{\"status\":\"reloaded\",\"summary\":" + json_string(*result) + "}");
}

asio::awaitable<void> Gateway::handle(ClientConnection& conn, Request& req) {
  AccessRecord log;
  log.start = Clock::now();
  log.request_id = conn.request_id();
  const auto method_text = http::to_string(req.method);
  log.method = std::string_view(method_text.data(), method_text.size());
  log.path = req.path();
  // Ping URLs carry secrets (a UUID or a ping key): never into the log, nor near misses.
  if (ping_shaped(log.path)) log.path = "/ping/***";
  bool bug = false;  // an exception is a bug; the client still gets an answer, and is logged
  try {
    LocalReply reply = answer(req);
    if (reply.proxy)
      co_await proxy(conn, req, *reply.proxy, log);
    else if (reply.reload)
      co_await reload(conn, log);
    else if (reply.extra)
      co_await worker_.extra->handle(conn, req);
    else if (reply.error)
      co_await conn.send_error(*reply.error);
    else
      co_await conn.send(reply.status, "application/json", reply.body);
  } catch (const std::exception& e) {
    bug = true;
    log.error = std::string("internal error: ") + e.what();
    spdlog::error("request {} ended by a bug: {}", conn.request_id(), e.what());
  }
  if (bug) co_await answer_bug(conn);
  log.status = conn.status();
  if (log.stream_status && log.status < 400) {  // an error after the 200: counted as one
    log.sent_status = log.status;
    log.status = log.stream_status;
  }
  state_->metrics->record(worker_.index, log.deployment_index, log, Clock::now());
  access_log_.write(log);
}

Result<RequestFields> Gateway::validate(const Request& req, ApiKind kind, AccessRecord& log) {
  auto scanned = scan_request(req.body);
  if (!scanned) return scanned.error();
  RequestFields& fields = *scanned;
  log.stream = fields.stream;
  if (!fields.model)
    return Error(Errc::BadRequest, "Missing required parameter: 'model' (a string).", "model");
  log.model = fields.model_name;
  const bool has_payload = kind == ApiKind::Chat         ? fields.has_messages
                           : kind == ApiKind::Completion ? fields.has_prompt
                                                         : fields.has_input;
  if (!has_payload) {
    const char* param = kind == ApiKind::Chat         ? "messages"
                        : kind == ApiKind::Completion ? "prompt"
                                                      : "input";
    return Error(Errc::BadRequest,
                 std::string("Missing required parameter: '") + param +
                     (kind == ApiKind::Chat ? "' (a list)." : "'."),
                 param);
  }
  if (!serves(fields.model_name)) {
    return Error(Errc::ModelNotFound,
                 "The model '" + fields.model_name +
                     "' does not exist. GET /v1/models lists the models served here.",
                 "model");
  }
  return std::move(fields);
}

std::int64_t Gateway::usage_minute() const {
  if (!counts_usage_) return 0;
  return std::chrono::duration_cast<std::chrono::minutes>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Gateway::Choice Gateway::choose(std::string_view model, const Tried& tried) {
  const auto* members = state_->routes.candidates(model);
  if (!members) return {};
  const auto now = CoarseClock::now();
  const std::int64_t minute = usage_minute();
  HealthBoard& health = *state_->health;
  // Built in place, only as many as there are candidates: no per-request zeroing of 64 slots.
  boost::container::static_vector<CandidateLoad, 64> loads;
  bool saturated = false;
  for (DeploymentIndex i : *members) {
    if (loads.size() == loads.capacity()) break;
    if (std::find(tried.begin(), tried.end(), i) != tried.end() || !health.available(i, now))
      continue;
    const Deployment& d = state_->config.deployments[i];
    if ((d.on_demand && !awake(d)) || !takes_request(d, model)) continue;
    const HealthBoard::Load l = health.load(i, minute);
    CandidateLoad& c = loads.emplace_back();
    c = CandidateLoad{i, d.weight, d.order.value_or(1), l.in_flight, l.ttfb_ewma_ms, 1.0, false};
    if (d.rpm) {
      c.headroom = std::min(c.headroom, 1.0 - static_cast<double>(l.requests_this_minute) / *d.rpm);
      c.saturated |= l.requests_this_minute >= *d.rpm;
    }
    if (d.tpm) {
      c.headroom = std::min(c.headroom, 1.0 - static_cast<double>(l.tokens_this_minute) / *d.tpm);
      c.saturated |= l.tokens_this_minute >= *d.tpm;
    }
    if (d.max_parallel_requests)
      c.saturated |= l.in_flight >= static_cast<std::int64_t>(*d.max_parallel_requests);
    saturated |= c.saturated;
  }
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  const double r1 = unit(rng_);
  const double r2 = unit(rng_);
  const auto picked = balance(strategy_, std::span(loads.data(), loads.size()), r1, r2);
  return {picked, !picked && saturated};
}

asio::awaitable<void> Gateway::sleep(Duration d) {
  asio::steady_timer timer(worker_.executor, d);
  co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
}

asio::awaitable<void> Gateway::proxy(ClientConnection& conn, Request& req, ApiKind kind,
                                     AccessRecord& log) {
  auto fields = validate(req, kind, log);
  if (!fields) {
    co_await conn.send_error(fields.error());
    co_return;
  }
  const RouterSettings& router = state_->config.router;
  HealthBoard& health = *state_->health;
  budget_.on_request(CoarseClock::now());

  // A streaming client that hangs up aborts the backend at once, even before the first token
  // (a long prompt can take seconds). One small allocation per stream; none for plain requests.
  std::optional<ClientWatchScope> watching;
  if (fields->stream) watching.emplace(conn.socket());

  Tried tried;
  Attempt last;
  std::optional<QueueSlot> queued;  // while waiting for a deployment with room
  Clock::time_point queue_deadline{};
  int attempts = 0;
  const int per_model = 1 + std::max(0, router.num_retries);
  // The requested model, then the models after it (its fallbacks, or the auto router's tiers),
  // worked out only once the first has failed; a context-window error switches to those.
  std::string_view model = fields->model_name;
  std::optional<std::size_t> auto_tier;
  if (model == state_->config.gateway.auto_router.model_name) {
    auto_tier = route_auto(req, log);
    model = state_->config.gateway.auto_router.tiers[*auto_tier];
  }
  const std::string_view first_model = model;
  ModelChain chain;
  ModelChain models_done;
  bool chain_built = false;
  std::size_t next_in_chain = 0;
  bool switched_to_context_fallbacks = false;
  bool give_up = false;

  bool woken = false;        // asked an agent for an on-demand backend already
  bool wake_failed = false;  // ... and it did not come (log.error says why)
  while (!give_up) {
    models_done.push_back(model);
    for (int tries = 0; tries < per_model && !give_up;) {
      Choice choice = choose(model, tried);
      if (!choice.index && !choice.saturated && !woken && state_->agents) {
        woken = true;
        choice.index = co_await wake(model, tried, log, wake_failed);
      }
      if (!choice.index && choice.saturated && attempts == 0) {
        // Every deployment is at its limit: wait for room, briefly and in bounded numbers.
        if (!queued) {
          if (queued_ >= state_->config.gateway.max_queued) break;
          queued.emplace(queued_);
          queue_deadline = Clock::now() + state_->config.gateway.queue_timeout;
        }
        if (Clock::now() >= queue_deadline) break;
        co_await sleep(std::chrono::milliseconds(20));
        continue;
      }
      queued.reset();
      const std::optional<DeploymentIndex> picked = choice.index;
      if (!picked) break;
      if (!health.admit(*picked, CoarseClock::now())) {  // lost a half-open trial to another thread
        tried.push_back(*picked);
        continue;
      }
      if (attempts > 0 && !may_retry(*picked, log, watching ? &*watching : nullptr)) {
        give_up = true;
        break;
      }
      ++tries;
      tried.push_back(*picked);
      last = co_await attempt_deployment(conn, req, kind, *fields, model, *picked, log, attempts,
                                         watching ? &*watching : nullptr);
      if (last.committed) co_return;
      if (!last.retryable) {
        if (last.context_window && !switched_to_context_fallbacks) {
          switched_to_context_fallbacks = true;
          chain = fallback_chain(state_->routes, model, FallbackKind::ContextWindow,
                                 router.max_fallbacks, models_done);
          chain_built = true;
          next_in_chain = 0;
          break;
        }
        give_up = true;
      }
    }
    if (give_up) break;
    if (!chain_built) {
      chain_built = true;
      if (auto_tier) {
        for (const auto& m : state_->auto_fallthrough[*auto_tier]) chain.push_back(m);
      } else {
        chain = fallback_chain(state_->routes, first_model, FallbackKind::General,
                               router.max_fallbacks);
      }
    }
    if (next_in_chain >= chain.size()) break;
    model = chain[next_in_chain++];
  }

  if (attempts == 0 && wake_failed) {
    co_await conn.send_error(Error(Errc::Unavailable, log.error));
    co_return;
  }
  if (attempts == 0 && saturated_everywhere(first_model, queued.has_value())) {
    co_await refuse_saturated(conn, first_model, log);
    co_return;
  }
  if (attempts == 0) {
    // Every deployment is cooling down. Rather than fail outright, try the one that comes back
    // first: a cooldown is a guess, and one request is a cheap way to check it. Deployments that
    // the active checks took out (down, or drifted with on_drift: eject) are not tried.
    if (const auto best = least_cooling(first_model)) {
      last = co_await attempt_deployment(conn, req, kind, *fields, first_model, *best, log,
                                         attempts, watching ? &*watching : nullptr);
      if (last.committed) co_return;
    } else {
      co_await refuse_all_down(conn, first_model, log);
      co_return;
    }
  }
  if (watching && watching->gone()) {
    log.error = "client disconnected";
    conn.set_close();
    co_return;
  }
  co_await answer_failure(conn, last, log);
}

bool Gateway::may_retry(DeploymentIndex index, AccessRecord& log,
                        const ClientWatchScope* watching) {
  const Deployment& d = state_->config.deployments[index];
  return Clock::now() < log.start + whole_timeout(d) && budget_.try_retry(CoarseClock::now()) &&
         !(watching && watching->gone());
}

std::optional<DeploymentIndex> Gateway::least_cooling(std::string_view model) const {
  const auto* members = state_->routes.candidates(model);
  if (!members) return std::nullopt;
  const HealthBoard& health = *state_->health;
  std::optional<DeploymentIndex> best;
  for (DeploymentIndex i : *members) {
    if (health.excluded(i) || !takes_request(state_->config.deployments[i], model)) continue;
    if (!best || health.cooling_until(i) < health.cooling_until(*best)) best = i;
  }
  return best;
}

// One deployment's turn: the attempt, then litellm_params.max_retries more on the same
// deployment (the OpenAI client's retries under LiteLLM) while nothing reached the client and
// the failure is one such a client retries. To the router they count as one outcome.
asio::awaitable<Gateway::Attempt> Gateway::attempt_deployment(
    ClientConnection& conn, Request& req, ApiKind kind, const RequestFields& fields,
    std::string_view model, DeploymentIndex index, AccessRecord& log, int& attempts,
    ClientWatchScope* watching) {
  const Deployment& d = state_->config.deployments[index];
  // A bug that throws out of an attempt must not leave the deployment counted in flight (with
  // max_parallel_requests it would fill up for good).
  struct InFlight {
    HealthBoard& health;
    DeploymentIndex index;
    bool counted = false;
    ~InFlight() {
      if (counted) health.finished(index);
    }
  } in_flight{*state_->health, index};
  for (int again = 0;; ++again) {
    begin_attempt(conn, index, ++attempts, log);
    in_flight.counted = true;
    Attempt a = co_await attempt(conn, req, kind, fields, model, index, log, watching);
    in_flight.counted = false;  // end_attempt() ends it
    std::optional<Duration> wait;
    if (again < d.max_retries && !a.committed && client_retries(a)) {
      std::uniform_real_distribution<double> unit(0.0, 1.0);
      wait = client_retry_delay(again, a.retry_after, unit(rng_));
      if (Clock::now() + *wait >= log.start + whole_timeout(d) || !may_retry(index, log, watching))
        wait.reset();
    }
    if (!wait) {
      end_attempt(index, a, log);
      co_return a;
    }
    a.health.reset();  // not yet an outcome: the same deployment is asked again
    end_attempt(index, a, log);
    co_await sleep(*wait);
  }
}

bool Gateway::awake(const Deployment& d) const {
  if (!state_->agents) return true;
  const auto p = state_->agents->process(d.on_demand->node, d.on_demand->process);
  return p && p->state == "running";
}

asio::awaitable<std::optional<DeploymentIndex>> Gateway::wake(std::string_view model,
                                                              const Tried& tried, AccessRecord& log,
                                                              bool& failed) {
  const auto* members = state_->routes.candidates(model);
  if (!members) co_return std::nullopt;
  AgentChannel& agents = *state_->agents;
  for (DeploymentIndex i : *members) {
    const Deployment& d = state_->config.deployments[i];
    if (!d.on_demand || awake(d) || std::find(tried.begin(), tried.end(), i) != tried.end())
      continue;
    const auto& od = *d.on_demand;
    const auto asked = ControlClock::now();
    const auto seen = agents.process(od.node, od.process);
    if (!seen || seen->state != "starting") {
      if (!agents.connected(od.node, asked)) {
        failed = true;
        log.error = "Model '" + std::string(model) + "' is served on demand by process '" +
                    od.process + "' on node '" + od.node +
                    "', and that node's agent is not connected; it cannot be started now.";
        continue;
      }
      agents.send(od.node, {od.process, "start", "a request for " + std::string(model), false},
                  asked);
    }
    // Ready when a heartbeat after the ask says running; bounded by ready_timeout.
    const auto until = asked + std::min(od.ready_timeout, whole_timeout(d));
    log.route +=
        (log.route.empty() ? "" : "; ") + std::string("woke ") + od.node + "/" + od.process;
    while (ControlClock::now() < until) {
      co_await sleep(std::chrono::milliseconds(50));
      const auto p = agents.process(od.node, od.process);
      if (p && p->state == "running" && p->updated > asked) {
        state_->health->record(i, Outcome::Success, CoarseClock::now());
        failed = false;
        co_return i;
      }
      if (p && p->updated > asked && (p->state == "fatal" || p->state == "exited")) break;
      // Every heartbeat lists all of an agent's processes: one without it means it has none.
      if (!p && agents.last_heartbeat(od.node)) break;
    }
    failed = true;
    const auto p = agents.process(od.node, od.process);
    log.error = "Model '" + std::string(model) + "' is served on demand by process '" + od.process +
                "' on node '" + od.node + "', which was asked to start but " +
                (!p ? "that node's agent has no such process (see agent.processes)."
                 : p->state == "fatal" || p->state == "exited"
                     ? "failed (" + p->state + ")."
                     : "was not ready within " + format_duration(od.ready_timeout) + ".");
  }
  co_return std::nullopt;
}

std::size_t Gateway::route_auto(const Request& req, AccessRecord& log) {
  const AutoRouter& a = state_->config.gateway.auto_router;
  const RouteDecision d = decide(a, read_traits(req.body));
  log.route = a.tiers[d.tier] + "; reason=" + d.reason;
  return d.tier;
}

void Gateway::begin_attempt(ClientConnection& conn, DeploymentIndex index, int number,
                            AccessRecord& log) {
  log.attempts = number;
  conn.clear_response_headers();
  if (!log.route.empty()) {
    conn.add_response_header("x-fleetgate-route: ");
    conn.add_response_header(log.route);
    conn.add_response_header("\r\n");
  }
  conn.add_response_header(state_->served_by[index]);
  static constexpr std::string_view kFirst[] = {
      "x-fleetgate-attempts: 1\r\n", "x-fleetgate-attempts: 2\r\n", "x-fleetgate-attempts: 3\r\n",
      "x-fleetgate-attempts: 4\r\n"};
  if (number >= 1 && number <= 4) {
    conn.add_response_header(kFirst[number - 1]);
  } else {
    std::array<char, 40> line{};
    const auto end =
        fmt::format_to_n(line.data(), line.size(), "x-fleetgate-attempts: {}\r\n", number);
    conn.add_response_header(std::string_view(line.data(), end.size));
  }
  state_->health->started(index);
  if (counts_usage_) state_->health->count_request(index, usage_minute());
  if (const auto& od = state_->config.deployments[index].on_demand; od && state_->agents)
    state_->agents->touch(od->node, od->process);  // not idle
}

bool Gateway::saturated_everywhere(std::string_view model, bool waited) {
  // Reached only when no attempt ran: either everything is cooling/down, or at its limits.
  if (waited) return true;
  return choose(model, Tried{}).saturated;
}

void Gateway::end_attempt(DeploymentIndex index, const Attempt& a, AccessRecord& log) {
  if (counts_usage_ && a.committed && log.usage)
    state_->health->count_tokens(index, usage_minute(),
                                 log.usage->prompt_tokens + log.usage->completion_tokens);
  if (!a.committed && a.health && *a.health != Outcome::Success) {
    if (!log.failed.empty()) log.failed += ',';
    log.failed += state_->config.deployments[index].id;
  }
  if (a.committed && a.health == Outcome::Failure && !log.stream_status) log.stream_status = 502;
  HealthBoard& health = *state_->health;
  health.finished(index);
  if (const auto& od = state_->config.deployments[index].on_demand; od && state_->agents)
    state_->agents->touch(od->node, od->process);
  if (a.health) health.record(index, *a.health, CoarseClock::now(), a.retry_after);
}

asio::awaitable<void> Gateway::answer_bug(ClientConnection& conn) {
  conn.set_close();  // whatever state the connection is in, it ends after this
  if (!conn.head_sent())
    co_await conn.send_error(Error(Errc::Internal, "An internal error ended this request."));
}

bool Gateway::client_retries(const Attempt& a) {
  if (a.retryable) return true;
  return a.failure && !a.failure->error && client_retries_status(a.failure->status) &&
         !a.context_window;
}

// The failure answers live in their own coroutines: their temporaries would otherwise sit in
// proxy()'s frame on every request.
asio::awaitable<void> Gateway::refuse_all_down(ClientConnection& conn, std::string_view model,
                                               AccessRecord& log) {
  log.error = "every deployment is down";
  co_await conn.send_error(
      Error(Errc::Unavailable, "Every deployment of '" + std::string(model) +
                                   "' is down (active health checks); GET /admin/backends "
                                   "says why."));
}

asio::awaitable<void> Gateway::refuse_saturated(ClientConnection& conn, std::string_view model,
                                                AccessRecord& log) {
  conn.add_response_header("Retry-After: 1\r\n");
  log.error = "every deployment is at its limit";
  co_await conn.send_error(
      Error(Errc::RateLimited, "Every deployment of '" + std::string(model) +
                                   "' is at its max_parallel_requests, rpm or tpm limit. "
                                   "Retry after a moment."));
}

asio::awaitable<void> Gateway::answer_failure(ClientConnection& conn, const Attempt& last,
                                              AccessRecord& log) {
  if (!last.failure) {  // cannot happen: every uncommitted attempt says why
    co_await conn.send_error(Error(Errc::Internal, "no deployment answered"));
  } else if (last.failure->error) {
    log.error = last.failure->error->message;
    co_await conn.send_error(*last.failure->error);
  } else {
    // Only now: an error the backend gave on an attempt that a retry then fixed is no error.
    log.error = "backend answered " + std::to_string(last.failure->status);
    co_await conn.send(last.failure->status, last.failure->content_type, last.failure->body);
  }
}

Duration Gateway::whole_timeout(const Deployment& d) const {
  return d.timeout.value_or(
      state_->config.router.timeout.value_or(state_->config.gateway.timeouts.request));
}

asio::awaitable<Gateway::Attempt> Gateway::attempt(ClientConnection& conn, Request& req,
                                                   ApiKind kind, const RequestFields& fields,
                                                   std::string_view model, DeploymentIndex index,
                                                   AccessRecord& log, ClientWatchScope* watching) {
  const Deployment& d = state_->config.deployments[index];
  const Timeouts& t = state_->config.gateway.timeouts;
  const Duration whole = whole_timeout(d);
  Call call{conn,
            req,
            kind,
            index,
            d,
            fields,
            log,
            UpstreamExchange(pool_, state_->backend_of[index], state_->labels[index]),
            log.start + whole,
            Clock::now(),
            {},
            {},
            nullptr,
            {},
            0,
            {},
            {}};
  call.first_byte =
      std::min(whole, fields.stream ? d.stream_timeout.value_or(t.first_byte) : t.first_byte);
  call.first_byte = std::min(call.first_byte, remaining(call.deadline));
  call.stream_gap = d.stream_timeout.value_or(t.stream_idle);
  if (d.follows_request()) {
    call.upstream_model = upstream_model_for(d, model);
    call.upstream_json = json_string(call.upstream_model);
  }
  log.deployment = d.id;
  log.deployment_index = static_cast<int>(index);
  if (watching) {
    watching->watch(&call.exchange);
    call.watching = watching;
  }
  struct Unwatch {
    ClientWatchScope* w;
    ~Unwatch() {
      if (w) w->watch(nullptr);
    }
  } unwatch{watching};
  if (d.provider == Provider::Anthropic) co_return co_await relay_anthropic(call);
  if (d.provider == Provider::Ollama || d.provider == Provider::OllamaChat)
    co_return co_await relay_ollama(call);
  co_return co_await relay_openai(call);
}

namespace {

// An attempt that failed before the backend answered: retry elsewhere unless the client left.
Gateway::Attempt failed_before_answer(const Error& e) {
  Gateway::Attempt a = Gateway::Attempt::failed(e);
  if (e.code == Errc::Unavailable) return a;  // abandoned: the client is gone
  a.retryable = true;
  a.health = Outcome::Failure;
  return a;
}

}  // namespace

Gateway::Attempt Gateway::backend_refused(Call& c, int status, std::string body,
                                          std::string_view content_type) {
  // The backend answered with an error and nothing reached the client yet.
  Attempt a;
  a.context_window = is_context_window_error(status, body);
  if (status == 429) {
    a.health = Outcome::RateLimited;
    a.retry_after = c.exchange.retry_after();
    a.retryable = true;
  } else if (status >= 500 && !a.context_window) {
    a.health = Outcome::Failure;
    a.retryable = true;
  } else if (is_model_refused(status, body)) {
    // The backend does not have the model (drift with evidence): another deployment may.
    a.health = Outcome::Failure;
    a.retryable = true;
  } else {
    a.health = Outcome::Success;  // the deployment works; the request was the problem
  }
  a.failure = std::make_unique<Failure>();
  a.failure->status = status;
  a.failure->body = std::move(body);
  a.failure->content_type = content_type.empty() ? "application/json" : content_type;
  return a;
}

void Gateway::build_openai_request(Call& c) {
  const Url& url = c.deployment.api_base;  // base_path is the deployment's, not the host's
  const std::string& model =
      c.upstream_json.empty() ? state_->model_json[c.index] : c.upstream_json;
  const Span span = *c.fields.model;
  const std::string_view body = c.req.body;
  std::string& head = c.exchange.head();
  head += "POST ";
  head += url.base_path;
  head += endpoint_path(c.kind);
  head += " HTTP/1.1\r\n";
  head += state_->fixed_headers[c.index];
  head += "Content-Type: application/json\r\nContent-Length: ";
  fmt::format_to(std::back_inserter(head), "{}", body.size() - span.size + model.size());
  head += "\r\nx-request-id: ";
  head += c.conn.request_id();
  head += c.fields.stream ? "\r\nAccept: text/event-stream\r\n\r\n" : "\r\n\r\n";
  // Only the model value changes; every other byte of the client's body goes out untouched.
  c.parts = {asio::buffer(head), asio::buffer(body.substr(0, span.offset)), asio::buffer(model),
             asio::buffer(body.substr(span.offset + span.size))};
  c.part_count = 4;
}

void Gateway::build_translated_request(Call& c, const std::string& path, const std::string& body) {
  std::string& head = c.exchange.head();
  head = "POST " + path + " HTTP/1.1\r\n" + state_->fixed_headers[c.index] +
         "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
         "\r\n\r\n";
  c.parts = {asio::buffer(head), asio::buffer(body)};  // `body` lives in the relay's frame
  c.part_count = 2;
}

void Gateway::note_first_byte(Call& c) {
  c.log.first_byte = Clock::now();
  state_->health->record_ttfb(
      c.index, std::chrono::duration<double, std::milli>(*c.log.first_byte - c.started).count());
}

// How a translated (Ollama, Anthropic) response describes itself to the OpenAI client.
ResponseMeta Gateway::response_meta(const Call& c) const {
  return ResponseMeta{
      std::string(c.kind == ApiKind::Chat ? "chatcmpl-" : "cmpl-") + c.conn.request_id(),
      std::chrono::duration_cast<std::chrono::seconds>(
          std::chrono::system_clock::now().time_since_epoch())
          .count(),
      c.fields.model_name, c.fields.include_usage};
}

// Locals that outlive a co_await live in the coroutine frame; results are scoped in blocks so
// the frame stays small enough for Asio's recycling allocator (no malloc per request).
asio::awaitable<Gateway::Attempt> Gateway::relay_openai(Call& c) {
  build_openai_request(c);
  {
    auto started = co_await c.exchange.start(std::span(c.parts.data(), c.part_count), c.first_byte);
    if (!started) co_return failed_before_answer(started.error());
  }
  note_first_byte(c);
  const int status = c.exchange.status();
  const bool ok = status >= 200 && status < 300;
  if (c.fields.stream && ok && is_event_stream(c.exchange.content_type()))
    co_return Attempt::streamed(co_await stream_openai(c));
  {
    auto read = co_await c.exchange.read_body(remaining(c.deadline));
    if (!read) co_return failed_before_answer(read.error());
  }
  if (!ok) co_return backend_refused(c, status, c.exchange.body(), c.exchange.content_type());
  c.log.usage = scan_usage(c.exchange.body());
  const std::string_view ct = c.exchange.content_type();
  co_await c.conn.send(status, ct.empty() ? std::string_view("application/json") : ct,
                       c.exchange.body());
  co_return Attempt::success();
}

asio::awaitable<bool> Gateway::stream_openai(Call& c) {
  SseDecoder events;
  bool failed = false;  // the backend sent an error event after its 200 (llama.cpp, vLLM do)
  const bool finished = co_await relay_stream(
      c,
      [&](std::string_view in, std::string&) {
        events.feed(in, [&](const SseEvent& e) {
          if (e.data.find("\"usage\"") != std::string_view::npos) {
            if (auto u = scan_usage(e.data)) c.log.usage = u;
          }
          if (!failed && e.data.find("\"error\"") != std::string_view::npos) {
            if (auto message = stream_error_message(e.data)) {
              failed = true;
              c.log.error = c.deployment.id + " sent an error in its stream: " + *message;
            }
          }
        });
        return in;
      },
      [](std::string&) {});
  co_return finished && !failed;
}

// A backend's 2xx answer translated to OpenAI's format, or a 502 naming the deployment when it
// could not be read.
asio::awaitable<Gateway::Attempt> Gateway::send_translated(Call& c,
                                                           Result<TranslatedResponse> response) {
  if (!response) {
    co_return failed_before_answer(
        Error(response.error().code, c.deployment.id + ": " + response.error().message));
  }
  c.log.usage = response->usage;
  co_await c.conn.send(200, "application/json", response->body);
  co_return Attempt::success();
}

asio::awaitable<Gateway::Attempt> Gateway::relay_ollama(Call& c) {
  const Deployment& d = c.deployment;
  auto translated = to_ollama_request(c.kind, d.provider, c.model(), c.req.body);
  // The client's request cannot be expressed for Ollama: no other deployment would do better.
  if (!translated) co_return Attempt::failed(translated.error());
  build_translated_request(c, d.api_base.base_path + translated->path, translated->body);
  {
    auto started = co_await c.exchange.start(std::span(c.parts.data(), c.part_count), c.first_byte);
    if (!started) co_return failed_before_answer(started.error());
  }
  note_first_byte(c);
  const int status = c.exchange.status();
  const bool ok = status >= 200 && status < 300;
  ResponseMeta meta = response_meta(c);
  if (c.fields.stream && ok && c.kind != ApiKind::Embedding)
    co_return Attempt::streamed(co_await stream_ollama(c, std::move(meta)));
  {
    auto read = co_await c.exchange.read_body(remaining(c.deadline));
    if (!read) co_return failed_before_answer(read.error());
  }
  if (!ok)
    co_return backend_refused(c, status, ollama_error_to_openai(status, c.exchange.body()), "");
  co_return co_await send_translated(c, from_ollama_response(c.kind, c.exchange.body(), meta));
}

asio::awaitable<Gateway::Attempt> Gateway::relay_anthropic(Call& c) {
  if (c.kind != ApiKind::Chat)
    co_return Attempt::failed(
        Error(Errc::NotImplemented, "The anthropic/ provider serves chat completions only."));
  auto translated = to_anthropic_request(c.model(), c.req.body);
  if (!translated) co_return Attempt::failed(translated.error());
  const std::string& base = c.deployment.api_base.base_path;  // "" or "/v1"
  build_translated_request(c, base + (base.ends_with("/v1") ? "/messages" : "/v1/messages"),
                           *translated);
  {
    auto started = co_await c.exchange.start(std::span(c.parts.data(), c.part_count), c.first_byte);
    if (!started) co_return failed_before_answer(started.error());
  }
  note_first_byte(c);
  const int status = c.exchange.status();
  const bool ok = status >= 200 && status < 300;
  ResponseMeta meta = response_meta(c);
  if (c.fields.stream && ok && is_event_stream(c.exchange.content_type()))
    co_return Attempt::streamed(co_await stream_anthropic(c, std::move(meta)));
  {
    auto read = co_await c.exchange.read_body(remaining(c.deadline));
    if (!read) co_return failed_before_answer(read.error());
  }
  if (!ok)
    co_return backend_refused(c, status, anthropic_error_to_openai(status, c.exchange.body()), "");
  co_return co_await send_translated(c, from_anthropic_response(c.exchange.body(), meta));
}

asio::awaitable<bool> Gateway::stream_anthropic(Call& c, ResponseMeta meta) {
  SseDecoder events;
  AnthropicStreamTranslator translator(std::move(meta));
  const bool finished = co_await relay_stream(
      c,
      [&](std::string_view in, std::string& out) {
        events.feed(in, [&](const SseEvent& e) { translator.on_event(e.event, e.data, out); });
        return std::string_view(out);
      },
      [&](std::string& out) { translator.finish(out); });
  c.log.usage = translator.usage();
  if (!translator.error().empty()) c.log.error = c.deployment.id + ": " + translator.error();
  co_return finished&& translator.done();
}

asio::awaitable<bool> Gateway::stream_ollama(Call& c, ResponseMeta meta) {
  NdjsonDecoder lines;
  OllamaStreamTranslator translator(c.kind, std::move(meta));
  const bool finished = co_await relay_stream(
      c,
      [&](std::string_view in, std::string& out) {
        lines.feed(in, [&](std::string_view line) { translator.on_line(line, out); });
        return std::string_view(out);
      },
      [&](std::string& out) {
        lines.finish([&](std::string_view line) { translator.on_line(line, out); });
        translator.finish(out);
      });
  c.log.usage = translator.usage();
  if (!translator.error().empty()) c.log.error = c.deployment.id + ": " + translator.error();
  co_return finished&& translator.done();
}

template <class Transform, class Finish>
asio::awaitable<bool> Gateway::relay_stream(Call& c, Transform transform, Finish finish) {
  if (!co_await c.conn.start_stream(200, "text/event-stream")) {
    c.exchange.abort();
    c.log.error = "client disconnected";
    co_return true;  // not the backend's fault
  }
  std::string out;
  while (true) {
    if (Clock::now() >= c.deadline) {
      c.exchange.abort();
      const Error e(Errc::UpstreamTimeout,
                    c.deployment.id + ": the stream did not finish within the request timeout");
      c.log.error = e.message;
      c.log.stream_status = 504;
      std::string event;
      append_sse_error(event, e);
      if (co_await c.conn.send_chunk(event)) co_await c.conn.end_stream();
      c.conn.set_close();
      co_return false;
    }
    auto more = co_await c.exchange.read_body_some(std::min(c.stream_gap, remaining(c.deadline)));
    if (c.watching && c.watching->gone()) {
      c.log.error = "client disconnected";
      c.conn.set_close();
      co_return true;
    }
    if (!more) {
      // Bytes already reached the client, so the status is sent: end with an SSE error event.
      c.log.error = more.error().message;
      c.log.stream_status = more.error().code == Errc::UpstreamTimeout ? 504 : 502;
      std::string event;
      append_sse_error(event, more.error());
      if (co_await c.conn.send_chunk(event)) co_await c.conn.end_stream();
      c.conn.set_close();
      co_return false;
    }
    out.clear();
    if (!*more) {
      finish(out);
      if (!co_await c.conn.send_chunk(out) || !co_await c.conn.end_stream()) c.conn.set_close();
      co_return true;
    }
    const std::string_view piece = transform(c.exchange.body(), out);
    if (!co_await c.conn.send_chunk(piece)) {
      c.log.error = "client disconnected";
      c.exchange.abort();
      c.conn.set_close();
      co_return true;
    }
  }
}

}  // namespace fleetgate
