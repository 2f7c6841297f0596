// The OpenAI-compatible gateway: its routes (the OpenAI API, models, health, admin) in the
// router, and the completions handler that takes each request by model to a deployment and
// relays the answer (whole or streamed) through the deployment's provider adapter. One
// instance per worker thread and config.
#pragma once

#include "core/clock.h"
#include "gateway/gateway_state.h"
#include "openai/api_kind.h"
#include "openai/ollama.h"
#include "openai/request_scan.h"
#include "routing/attempt_plan.h"
#include "routing/balancer.h"
#include "routing/retry_budget.h"
#include "server/access_log.h"
#include "server/http_router.h"
#include "server/http_server.h"
#include "upstream/upstream_pool.h"

#include <boost/asio/ssl/context.hpp>
#include <boost/container/small_vector.hpp>

#include <memory>
#include <random>

namespace fleetgate {

class UpstreamExchange;
class ClientWatchScope;
class FrontCall;
struct Call;

class HttpRouter;

class Gateway {
 public:
  Gateway(std::shared_ptr<const GatewayState> state, WorkerContext& worker,
          asio::ssl::context& tls);

  // Registers the gateway's routes; the router must not outlive this.
  void add_routes(HttpRouter& router);

  struct Attempt;  // what one attempt came to
  struct Failure;  // what to answer when no attempt did better

 private:
  asio::awaitable<void> model_info(ClientConnection& conn, Request& req);   // GET /v1/models/{id}
  std::string backends_json() const;                                        // GET /admin/backends
  asio::awaitable<void> reload(ClientConnection& conn, AccessRecord& log);  // POST /admin/reload
  // Checks the body and the model name (no suspension: keeps coroutine frames small).
  Result<RequestFields> validate(const Request& req, ApiKind kind, AccessRecord& log);
  Result<RequestFields> validate_other(const Request& req, ApiKind kind, AccessRecord& log);
  // An upload still arriving: reads it until its model field is in (or it is whole), so that a
  // deployment can be chosen and the rest streamed to it. False when the client failed (and
  // was answered).
  asio::awaitable<bool> read_to_form_model(ClientConnection& conn, Request& req, AccessRecord& log);
  // A healthy, untried deployment of `model` with room, by the routing strategy.
  Choice choose(std::string_view model, const Tried& tried, ApiKind kind);
  // An on-demand deployment is routed to only while its agent says its process is running.
  bool awake(const Deployment& d) const;
  // Asks the agent of one of `model`'s sleeping on-demand deployments to start it and waits
  // for it to be ready (bounded). nullopt: none to wake, or `failed` (log.error says why).
  asio::awaitable<std::optional<DeploymentIndex>> wake(std::string_view model, const Tried& tried,
                                                       AccessRecord& log, bool& failed);
  std::int64_t usage_minute() const;
  // The auto router's tier for this request; records the decision in the log.
  std::size_t route_auto(const Request& req,
                         AccessRecord& log);  // the rpm/tpm window; 0 when nothing counts usage
  asio::awaitable<void> sleep(Duration d);
  asio::awaitable<void> refuse_saturated(ClientConnection& conn, std::string_view model,
                                         AccessRecord& log);
  asio::awaitable<void> answer_failure(ClientConnection& conn, const Attempt& last,
                                       AccessRecord& log, const FrontCall* front);
  asio::awaitable<void> refuse_all_down(ClientConnection& conn, std::string_view model,
                                        AccessRecord& log);
  // Another attempt after the first: within the request's time, the retry budget, and while the
  // client waits.
  bool may_retry(DeploymentIndex index, AccessRecord& log, const ClientWatchScope* watching);
  // When all are cooling: the one back soonest, of those the active checks did not take out.
  std::optional<DeploymentIndex> least_cooling(std::string_view model, ApiKind kind) const;
  // A failure LiteLLM's OpenAI client retries on the same deployment (litellm_params.max_retries).
  static bool client_retries(const Attempt& a);
  asio::awaitable<Attempt> attempt_deployment(ClientConnection& conn, Request& req, ApiKind kind,
                                              const RequestFields& fields, std::string_view model,
                                              DeploymentIndex index, AccessRecord& log,
                                              int& attempts, ClientWatchScope* watching,
                                              FrontCall* front);
  // Counts the requests of this worker waiting for room (fleetgate.max_queued).
  struct QueueSlot {
    explicit QueueSlot(std::uint32_t& n) : count(n) { ++count; }
    ~QueueSlot() { --count; }
    QueueSlot(const QueueSlot&) = delete;
    QueueSlot& operator=(const QueueSlot&) = delete;
    std::uint32_t& count;
  };
  // Response headers for attempt `number` and the health bookkeeping around it.
  void begin_attempt(ClientConnection& conn, DeploymentIndex index, int number, AccessRecord& log);
  void end_attempt(DeploymentIndex index, const Attempt& a, AccessRecord& log);
  // Tries deployments (retries, fallbacks, context-window fallbacks) until one answers.
  // `front`: the client speaks another dialect; `req.body` is then its internal form.
  asio::awaitable<void> proxy(ClientConnection& conn, Request& req, ApiKind kind, AccessRecord& log,
                              FrontCall* front = nullptr);
  // A request in a dialect other than OpenAI's (src/frontends/): translated, proxied, answered
  // in the client's dialect.
  asio::awaitable<void> front_proxy(ClientConnection& conn, Request& req, Dialect dialect,
                                    AccessRecord& log);
  // POST /v1/messages/count_tokens: anthropic/ deployments count; for others, an estimate.
  asio::awaitable<void> count_tokens(ClientConnection& conn, Request& req, AccessRecord& log);
  // GET and DELETE /v1/responses/{id}.
  void add_responses_routes(HttpRouter& router);
  asio::awaitable<void> kept_response(ClientConnection& conn, Request& req, AccessRecord& log);
  // Ollama's listing and probing endpoints (/api/tags, /api/ps, /api/show, /api/version, GET /).
  void add_ollama_routes(HttpRouter& router);
  asio::awaitable<void> ollama_show(ClientConnection& conn, Request& req, AccessRecord& log);
  // Whether every deployment of `model` serves Anthropic's Messages API itself.
  bool all_speak_messages(std::string_view model) const;
  // One try of `index` for `model` (the requested name, or the fallback being tried).
  asio::awaitable<Attempt> attempt(ClientConnection& conn, Request& req, ApiKind kind,
                                   const RequestFields& fields, std::string_view model,
                                   DeploymentIndex index, AccessRecord& log,
                                   ClientWatchScope* watching, FrontCall* front);
  // The attempt's relay, the same for every provider (the deployment's adapter does the rest).
  asio::awaitable<Attempt> relay(Call& call);
  Attempt backend_refused(Call& call, int status, std::string body, std::string_view content_type);
  void note_first_byte(Call& call);  // for the access log and the latency average
  // A model name clients may ask for: one in model_list, or the auto router's.
  // With `kind`, only deployments whose model_info.mode takes it count.
  bool serves(std::string_view model_name, std::optional<ApiKind> kind = std::nullopt) const;

  std::shared_ptr<const GatewayState> state_;
  const Clock& clock_;  // state_->clock
  WorkerContext& worker_;
  UpstreamPool pool_;
  std::mt19937_64 rng_;
  RetryBudget budget_;
  Strategy strategy_;
  PlanSettings plan_settings_;
  bool counts_usage_ = false;  // some deployment has rpm/tpm, or the strategy needs usage
  std::uint32_t queued_ = 0;
};

}  // namespace fleetgate
