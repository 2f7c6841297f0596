#include "gateway/gateway.h"

#include "gateway/gateway_internal.h"

#include "control/agent_channel.h"
#include "core/json_escape.h"
#include "core/text_forms.h"
#include "openai/anthropic.h"
#include "openai/backend_errors.h"
#include "openai/error_json.h"
#include "openai/multipart.h"
#include "openai/ndjson.h"
#include "openai/ollama.h"
#include "openai/request_scan.h"
#include "openai/sse.h"
#include "routing/auto_router.h"
#include "routing/balancer.h"
#include "routing/client_retry.h"
#include "routing/fallback_chain.h"
#include "routing/upstream_model.h"

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
                 asio::ssl::context& tls)
    : state_(std::move(state)),
      clock_(*state_->clock),
      worker_(worker),
      pool_(worker.executor, worker.sweeper, tls, state_->backends,
            PoolSettings{state_->config.gateway.timeouts.connect,
                         state_->config.gateway.timeouts.upstream_idle,
                         state_->config.gateway.max_idle_upstream_per_backend},
            clock_),
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

bool Gateway::serves(std::string_view model_name, std::optional<ApiKind> kind) const {
  if (!model_name.empty() && model_name == state_->config.gateway.auto_router.model_name)
    return true;
  const auto* members = state_->routes.candidates(model_name);
  if (!members) return false;
  for (DeploymentIndex i : *members) {  // a bare "*" deployment takes only its provider's names
    const Deployment& d = state_->config.deployments[i];
    if (takes_request(d, model_name) && (!kind || serves_kind(d, *kind))) return true;
  }
  return false;
}

namespace {

// JSON answers: one whose body outlives the request (the config's), and one it owns.
asio::awaitable<void> send_json(ClientConnection& conn, int status, std::string_view body) {
  co_await conn.send(status, "application/json", body);
}
asio::awaitable<void> send_owned_json(ClientConnection& conn, std::string body) {
  co_await conn.send(200, "application/json", body);
}

}  // namespace

void Gateway::add_routes(HttpRouter& router) {
  auto api = [&](std::string_view path, ApiKind kind) {
    router.add(Route{path, kPost, Access::MasterKey, Guard::Browser, Realm::Gateway,
                     [this, kind](ClientConnection& conn, Request& req, AccessRecord& log) {
                       return proxy(conn, req, kind, log);
                     },
                     is_upload(kind)});  // an upload goes on as it arrives, once its model is in
  };
  api("/v1/chat/completions", ApiKind::Chat);  // the hot ones first: routes match in order
  api("/chat/completions", ApiKind::Chat);
  api("/v1/completions", ApiKind::Completion);
  api("/completions", ApiKind::Completion);
  api("/v1/embeddings", ApiKind::Embedding);
  api("/embeddings", ApiKind::Embedding);
  for (std::string_view prefix : {"/v1", ""}) {  // as OpenAI's clients and vLLM's paths have them
    static const std::string paths[2][6] = {
        {"/v1/audio/transcriptions", "/v1/audio/translations", "/v1/audio/speech", "/v1/rerank",
         "/v1/images/generations", "/v2/rerank"},
        {"/audio/transcriptions", "/audio/translations", "/audio/speech", "/rerank",
         "/images/generations", ""}};
    const auto& p = paths[prefix.empty() ? 1 : 0];
    api(p[0], ApiKind::Transcription);
    api(p[1], ApiKind::Translation);
    api(p[2], ApiKind::Speech);
    api(p[3], ApiKind::Rerank);
    api(p[4], ApiKind::Image);
    if (!p[5].empty()) api(p[5], ApiKind::Rerank);
  }
  auto front = [&](std::string_view path, Dialect dialect) {
    router.add(Route{path, kPost, Access::MasterKey, Guard::Browser, Realm::Gateway,
                     [this, dialect](ClientConnection& conn, Request& req, AccessRecord& log) {
                       return front_proxy(conn, req, dialect, log);
                     }});
  };
  front("/v1/messages", Dialect::Anthropic);
  front("/v1/responses", Dialect::Responses);
  front("/responses", Dialect::Responses);
  add_responses_routes(router);
  front("/api/chat", Dialect::Ollama);
  front("/api/generate", Dialect::Ollama);
  front("/api/embed", Dialect::Ollama);
  front("/api/embeddings", Dialect::Ollama);
  add_ollama_routes(router);
  router.add(Route{"/v1/messages/count_tokens", kPost, Access::MasterKey, Guard::Browser,
                   Realm::Gateway, [this](ClientConnection& conn, Request& req, AccessRecord& log) {
                     return count_tokens(conn, req, log);
                   }});
  auto models = [this](ClientConnection& conn, Request&, AccessRecord&) {
    return send_json(conn, 200, state_->models_body);
  };
  router.add(Route{"/v1/models", kGet, Access::MasterKey, Guard::Browser, Realm::Gateway, models});
  router.add(Route{"/models", kGet, Access::MasterKey, Guard::Browser, Realm::Gateway, models});
  router.add(Route{"/v1/models/**", kGet, Access::MasterKey, Guard::Browser, Realm::Gateway,
                   [this](ClientConnection& conn, Request& req, AccessRecord&) {
                     return model_info(conn, req);
                   }});
  auto alive = [](ClientConnection& conn, Request&, AccessRecord&) {
    return send_json(conn, 200, "\"I'm alive!\"");
  };
  router.add(
      Route{"/health/liveliness", kAnyMethod, Access::Open, Guard::None, Realm::Gateway, alive});
  router.add(
      Route{"/health/liveness", kAnyMethod, Access::Open, Guard::None, Realm::Gateway, alive});
  router.add(Route{"/health/readiness", kAnyMethod, Access::Open, Guard::None, Realm::Gateway,
                   [this](ClientConnection& conn, Request&, AccessRecord&) {
                     const bool draining = worker_.draining;
                     return send_json(
                         conn, draining ? 503 : 200,
                         draining ? "{\"status\":\"draining\"}" : "{\"status\":\"healthy\"}");
                   }});
  router.add(Route{"/admin/backends", kGet, Access::MasterKey, Guard::JsonBody, Realm::Gateway,
                   [this](ClientConnection& conn, Request&, AccessRecord&) {
                     return send_owned_json(conn, backends_json());
                   }});
  router.add(Route{
      "/admin/reload", kPost, Access::MasterKey, Guard::JsonBody, Realm::Gateway,
      [this](ClientConnection& conn, Request&, AccessRecord& log) { return reload(conn, log); }});
}

asio::awaitable<void> Gateway::model_info(ClientConnection& conn, Request& req) {
  const std::string_view id = req.path().substr(std::string_view("/v1/models/").size());
  if (!serves(id)) {
    co_await conn.send_error(
        Error(Errc::ModelNotFound, "The model '" + std::string(id) + "' does not exist.", "model"));
    co_return;
  }
  co_await conn.send(200, "application/json",
                     "{\"id\":" + json_string(id) + ",\"object\":\"model\",\"created\":" +
                         std::to_string(state_->created) + ",\"owned_by\":\"fleetgate\"}");
}

Result<RequestFields> Gateway::validate(const Request& req, ApiKind kind, AccessRecord& log) {
  if (!is_text(kind)) return validate_other(req, kind, log);
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
  if (!serves(fields.model_name, kind)) {
    return Error(Errc::ModelNotFound,
                 "The model '" + fields.model_name +
                     "' does not exist. GET /v1/models lists the models served here.",
                 "model");
  }
  return std::move(fields);
}

asio::awaitable<bool> Gateway::read_to_form_model(ClientConnection& conn, Request& req,
                                                  AccessRecord& log) {
  FormFieldFinder finder(req.content_type, "model");
  while (conn.body_left() > 0) {
    auto found = finder.feed(req.body, false);
    if (!found || *found) co_return true;  // validate() says what is wrong, or goes on
    auto piece = co_await conn.read_body_some(req);
    if (!piece) {
      log.error = piece.error().message;
      co_await conn.send_error(piece.error());
      co_return false;
    }
  }
  co_return true;
}

// Audio, rerank and images: the model from the form (uploads) or the JSON body; only what each
// endpoint cannot do without is required.
Result<RequestFields> Gateway::validate_other(const Request& req, ApiKind kind, AccessRecord& log) {
  RequestFields fields;
  if (is_upload(kind)) {
    auto model = find_form_field(req.content_type, req.body, "model");
    if (!model) return model.error();
    fields.model = model->value;
    fields.model_name = std::move(model->text);
  } else {
    auto scanned = scan_request(req.body);
    if (!scanned) return scanned.error();
    fields = std::move(*scanned);
    if (!fields.model)
      return Error(Errc::BadRequest, "Missing required parameter: 'model' (a string).", "model");
    if (kind == ApiKind::Speech && !fields.has_input)
      return Error(Errc::BadRequest, "Missing required parameter: 'input'.", "input");
    if (kind == ApiKind::Image && !fields.has_prompt)
      return Error(Errc::BadRequest, "Missing required parameter: 'prompt'.", "prompt");
  }
  fields.stream = is_binary_answer(kind);  // audio goes out as it comes
  log.stream = false;
  log.model = fields.model_name;
  if (!serves(fields.model_name, kind))
    return Error(Errc::ModelNotFound,
                 "The model '" + fields.model_name + "' does not exist for " +
                     std::string(endpoint_path(kind)) +
                     " (model_info.mode says which deployments serve it).",
                 "model");
  return fields;
}

}  // namespace fleetgate
