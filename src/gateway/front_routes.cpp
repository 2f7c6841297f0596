// The routes of the client dialects other than OpenAI's chat completions (src/frontends/):
// each request is translated by its front end, proxied as chat completions are (routing,
// retries, fallbacks, limits), and answered in the client's dialect.
#include "gateway/gateway_internal.h"

#include "core/json_escape.h"
#include "frontends/anthropic_front.h"
#include "frontends/front_end.h"
#include "frontends/ollama_front.h"
#include "gateway/response_keeper.h"
#include "openai/error_json.h"

#include <boost/beast/http/verb.hpp>

#include <chrono>

namespace fleetgate {

namespace http = boost::beast::http;

bool Gateway::all_speak_messages(std::string_view model) const {
  const auto* members = state_->routes.candidates(model);
  if (!members || members->empty()) return false;
  for (DeploymentIndex i : *members) {
    const Deployment& d = state_->config.deployments[i];
    if (d.provider != Provider::Anthropic && !d.native_messages) return false;
  }
  return true;
}

asio::awaitable<void> Gateway::front_proxy(ClientConnection& conn, Request& req, Dialect dialect,
                                           AccessRecord& log) {
  log.dialect = dialect;
  log.model_request = true;
  FrontInput in{
      .path = req.path(),
      .body = req.body,
      .request_id = conn.request_id(),
      .now = std::chrono::duration_cast<std::chrono::seconds>(clock_.wall().time_since_epoch())
                 .count(),
      .anthropic_version = req.anthropic_version,
      .anthropic_beta = req.anthropic_beta};
  const PreviousLookup previous = [this](std::string_view id) -> std::optional<std::string> {
    auto kept = state_->responses->get(id);
    if (!kept) return std::nullopt;
    return std::move(kept->messages);
  };
  in.previous = &previous;
  auto made = make_front_call(dialect, in);
  if (!made) {
    co_await conn.send_error(made.error());
    co_return;
  }
  std::unique_ptr<FrontCall> front = std::move(*made);
  // Ollama's clients name untagged models "name:latest".
  if (dialect == Dialect::Ollama && !serves(front->model) && front->model.ends_with(":latest")) {
    const std::string_view bare = std::string_view(front->model).substr(0, front->model.size() - 7);
    if (serves(bare)) {
      if (auto renamed = rename_model(*front, bare); !renamed) {
        co_await conn.send_error(renamed.error());
        co_return;
      }
    }
  }
  // The request goes on as its internal form; the client's body stays for native deployments
  // and comes back to the request afterwards (its buffer is the connection's).
  front->original = std::move(req.body);
  req.body = std::move(front->internal);
  co_await proxy(conn, req, front->kind, log, front.get());
  if (!log.usage) log.usage = front->usage();
  if (auto kept = front->to_store()) state_->responses->put(std::move(*kept));
  req.body = std::move(front->original);
}

namespace {

asio::awaitable<void> send_text(ClientConnection& conn, std::string_view type,
                                std::string_view body) {
  co_await conn.send(200, type, body);
}

}  // namespace

void Gateway::add_responses_routes(HttpRouter& router) {
  for (std::string_view pattern : {"/v1/responses/*", "/responses/*"})
    router.add(Route{pattern, kGet | kDelete, Access::MasterKey, Guard::Browser, Realm::Gateway,
                     [this](ClientConnection& conn, Request& req, AccessRecord& log) {
                       return kept_response(conn, req, log);
                     }});
}

asio::awaitable<void> Gateway::kept_response(ClientConnection& conn, Request& req,
                                             AccessRecord& log) {
  log.dialect = Dialect::Responses;
  std::string_view path = req.path();
  const std::string id(path.substr(path.rfind('/') + 1));
  const Error missing(Errc::NotFound, "Response with id '" + id + "' not found.", "response_id");
  if (req.method == http::verb::delete_) {
    if (!state_->responses->erase(id)) {
      co_await conn.send_error(missing);
      co_return;
    }
    co_await conn.send(200, "application/json",
                       "{\"id\":" + json_string(id) + ",\"object\":\"response\",\"deleted\":true}");
    co_return;
  }
  auto kept = state_->responses->get(id);
  if (!kept) {
    co_await conn.send_error(missing);
    co_return;
  }
  co_await conn.send(200, "application/json", kept->response);
}

void Gateway::add_ollama_routes(HttpRouter& router) {
  router.add(Route{"/api/tags", kGet, Access::MasterKey, Guard::Browser, Realm::Gateway,
                   [this](ClientConnection& conn, Request&, AccessRecord& log) {
                     log.dialect = Dialect::Ollama;
                     return send_text(conn, "application/json", state_->ollama_tags);
                   }});
  router.add(Route{"/api/ps", kGet, Access::MasterKey, Guard::Browser, Realm::Gateway,
                   [this](ClientConnection& conn, Request&, AccessRecord& log) {
                     log.dialect = Dialect::Ollama;
                     return send_text(conn, "application/json", state_->ollama_ps);
                   }});
  router.add(Route{"/api/show", kPost, Access::MasterKey, Guard::Browser, Realm::Gateway,
                   [this](ClientConnection& conn, Request& req, AccessRecord& log) {
                     return ollama_show(conn, req, log);
                   }});
  static const std::string version = "{\"version\":\"" + std::string(kOllamaApiVersion) + "\"}";
  router.add(Route{"/api/version", kGet, Access::Open, Guard::None, Realm::Gateway,
                   [](ClientConnection& conn, Request&, AccessRecord& log) {
                     log.dialect = Dialect::Ollama;
                     return send_text(conn, "application/json", version);
                   }});
  // Ollama's clients check that the server is up here.
  router.add(Route{"/", kGet | method_bit(http::verb::head), Access::Open, Guard::None,
                   Realm::Gateway, [](ClientConnection& conn, Request&, AccessRecord&) {
                     return send_text(conn, "text/plain; charset=utf-8", "Ollama is running");
                   }});
}

asio::awaitable<void> Gateway::ollama_show(ClientConnection& conn, Request& req,
                                           AccessRecord& log) {
  log.dialect = Dialect::Ollama;
  auto named = ollama_model_name(req.body);
  if (!named) {
    co_await conn.send_error(named.error());
    co_return;
  }
  const std::string& name = *named;
  const std::string_view bare =
      name.ends_with(":latest") ? std::string_view(name).substr(0, name.size() - 7) : name;
  if (!serves(name) && !serves(bare)) {
    co_await conn.send_error(Error(Errc::ModelNotFound, "model '" + name + "' not found"));
    co_return;
  }
  log.model = name;
  co_await conn.send(200, "application/json", fleetgate::ollama_show(name, state_->created));
}

asio::awaitable<void> Gateway::count_tokens(ClientConnection& conn, Request& req,
                                            AccessRecord& log) {
  log.dialect = Dialect::Anthropic;
  auto fields = scan_request(req.body);
  if (!fields) {
    co_await conn.send_error(fields.error());
    co_return;
  }
  if (!fields->model) {
    co_await conn.send_error(Error(Errc::BadRequest, "model: Field required.", "model"));
    co_return;
  }
  log.model = fields->model_name;
  if (!serves(fields->model_name)) {
    co_await conn.send_error(
        Error(Errc::ModelNotFound, "model: " + fields->model_name + " is not served here."));
    co_return;
  }
  if (all_speak_messages(fields->model_name)) {  // they count themselves
    co_await front_proxy(conn, req, Dialect::Anthropic, log);
    co_return;
  }
  auto n = estimate_input_tokens(req.body);
  if (!n) {
    co_await conn.send_error(n.error());
    co_return;
  }
  conn.add_response_header("x-fleetgate-estimate: true\r\n");
  co_await conn.send(200, "application/json", "{\"input_tokens\":" + std::to_string(*n) + "}");
}

}  // namespace fleetgate
