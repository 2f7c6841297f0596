// The OpenAI-compatible gateway: routes each request by model to a deployment and relays the
// response (whole or streamed), translating for Ollama backends. One instance per worker thread.
#pragma once

#include "openai/api_kind.h"
#include "openai/request_scan.h"
#include "server/access_log.h"
#include "server/gateway_state.h"
#include "server/http_server.h"
#include "server/request_handler.h"
#include "upstream/upstream_pool.h"

#include <boost/asio/ssl/context.hpp>

#include <memory>
#include <random>

namespace fleetgate {

class UpstreamExchange;

class Gateway : public RequestHandler {
 public:
  Gateway(std::shared_ptr<const GatewayState> state, WorkerContext& worker, asio::ssl::context& tls,
          AccessLog& access_log);

  asio::awaitable<void> handle(ClientConnection& conn, Request& req) override;

 private:
  struct Call;  // one proxied request's working state
  struct LocalReply;
  LocalReply answer(const Request& req) const;
  struct Routed {
    RequestFields fields;
    DeploymentIndex index;
  };
  // Validates the body and picks a deployment, or says why not (no suspension: small frames).
  Result<Routed> route(const Request& req, ApiKind kind, AccessRecord& log);
  asio::awaitable<void> proxy(ClientConnection& conn, Request& req, ApiKind kind,
                              AccessRecord& log);
  asio::awaitable<void> relay_openai(Call& call);
  asio::awaitable<void> relay_ollama(Call& call);
  // Streams the rest of an exchange's body to the client; `transform` may rewrite each piece.
  template <class Transform, class Finish>
  asio::awaitable<void> relay_stream(Call& call, Transform transform, Finish finish);
  bool authorized(const Request& req) const;

  std::shared_ptr<const GatewayState> state_;
  WorkerContext& worker_;
  UpstreamPool pool_;
  AccessLogWriter access_log_;
  std::mt19937_64 rng_;
};

}  // namespace fleetgate
