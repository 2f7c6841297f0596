#include "gateway/gateway.h"

#include "gateway/gateway_internal.h"

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

#include <openssl/crypto.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
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
  const RouterSettings& router = state_->config.router;
  plan_settings_.tries_per_model = 1 + std::max(0, router.num_retries);
  plan_settings_.max_fallbacks = router.max_fallbacks;
  plan_settings_.queue_timeout = state_->config.gateway.queue_timeout;
  plan_settings_.can_wake = state_->agents != nullptr;
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

asio::awaitable<void> Gateway::answer_bug(ClientConnection& conn) {
  conn.set_close();  // whatever state the connection is in, it ends after this
  if (!conn.head_sent())
    co_await conn.send_error(Error(Errc::Internal, "An internal error ended this request."));
}

}  // namespace fleetgate
