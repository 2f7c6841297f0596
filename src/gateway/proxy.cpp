#include "gateway/gateway_internal.h"

#include "control/agent_channel.h"
#include "core/json_escape.h"
#include "core/text_forms.h"
#include "frontends/front_call.h"
#include "openai/anthropic.h"
#include "openai/backend_errors.h"
#include "openai/error_json.h"
#include "openai/ndjson.h"
#include "openai/ollama.h"
#include "openai/request_scan.h"
#include "openai/sse.h"
#include "routing/auto_router.h"
#include "routing/balancer.h"
#include "routing/candidates.h"
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

std::int64_t Gateway::usage_minute() const {
  if (!counts_usage_) return 0;
  return std::chrono::duration_cast<std::chrono::minutes>(clock_.wall().time_since_epoch()).count();
}

Choice Gateway::choose(std::string_view model, const Tried& tried, ApiKind kind) {
  const auto* members = state_->routes.candidates(model);
  if (!members) return {};
  const auto now = clock_.coarse();
  const std::int64_t minute = usage_minute();
  const HealthBoard& health = *state_->health;
  const auto& deployments = state_->config.deployments;
  auto state = [&](DeploymentIndex i) {
    CandidateState c;
    const Deployment& d = deployments[i];
    c.available = health.available(i, now) && (!d.on_demand || awake(d)) && serves_kind(d, kind);
    if (!c.available) return c;
    const HealthBoard::Load l = health.load(i, minute);
    c.in_flight = l.in_flight;
    c.ttfb_ewma_ms = l.ttfb_ewma_ms;
    c.requests_this_minute = l.requests_this_minute;
    c.tokens_this_minute = l.tokens_this_minute;
    return c;
  };
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  const double r1 = unit(rng_);
  const double r2 = unit(rng_);
  return select_candidate(strategy_, *members, deployments, model, tried, state, r1, r2);
}

asio::awaitable<void> Gateway::sleep(Duration d) {
  asio::steady_timer timer(worker_.executor, d);
  co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
}

// validate -> plan -> for each turn {choose, begin, relay, end} -> answer. What to do next is
// the plan's (routing/attempt_plan.h); this does what it says.
asio::awaitable<void> Gateway::proxy(ClientConnection& conn, Request& req, ApiKind kind,
                                     AccessRecord& log, FrontCall* front) {
  log.model_request = true;
  if (conn.body_left() > 0 && !co_await read_to_form_model(conn, req, log)) co_return;
  auto fields = validate(req, kind, log);
  if (!fields) {
    co_await conn.send_error(fields.error());
    co_return;
  }
  budget_.on_request(clock_.steady());
  // A streaming client that hangs up aborts the backend at once, even before the first token
  // (a long prompt can take seconds). One small allocation per stream; none for plain requests.
  std::optional<ClientWatchScope> watching;
  if (fields->stream) watching.emplace(conn.socket(), conn.sweeper());
  ClientWatchScope* const watch = watching ? &*watching : nullptr;

  std::string_view model = fields->model_name;
  std::span<const std::string> then;  // the auto router's fall-through, or the fallbacks
  if (model == state_->config.gateway.auto_router.model_name) {
    const std::size_t tier = route_auto(req, log);
    model = state_->config.gateway.auto_router.tiers[tier];
    then = state_->auto_fallthrough[tier];
  }
  AttemptPlan plan(state_->routes, state_->whole_timeout, plan_settings_, model, then, log.start);
  auto choose = [this, kind](std::string_view m, const Tried& t) {
    return this->choose(m, t, kind);
  };
  Attempt last;
  std::optional<QueueSlot> queued;  // while waiting for a deployment with room
  int attempts = 0;                 // HTTP attempts, for x-fleetgate-attempts
  for (;;) {
    const StepInputs in{clock_.steady(), queued_ < state_->config.gateway.max_queued,
                        watch && watch->gone()};
    const Step step = plan.next(choose, in, budget_);
    if (step.action == Action::Stop) break;
    if (step.action == Action::Wake) {
      bool failed = false;
      const auto woken = co_await wake(plan.model(), plan.tried(), log, failed);
      plan.woke(woken, failed);
      continue;
    }
    if (step.action == Action::Wait) {
      if (!queued) queued.emplace(queued_);
      co_await sleep(step.wait);
      continue;
    }
    queued.reset();
    if (!state_->health->admit(step.index, clock_.coarse())) {  // another took the trial
      plan.lost(step.index);
      continue;
    }
    last = co_await attempt_deployment(conn, req, kind, *fields, plan.model(), step.index, log,
                                       attempts, watch, front);
    plan.record(TurnResult{last.committed, last.retryable, last.context_window});
    if (last.committed) co_return;
  }
  const std::string_view first_model = plan.first_model();
  switch (plan.ending(choose, watch && watch->gone())) {
    case Ending::Answered: co_return;
    case Ending::WakeFailed:
      co_await conn.send_error(Error(Errc::Unavailable, log.error));
      co_return;
    case Ending::Saturated: co_await refuse_saturated(conn, first_model, log); co_return;
    case Ending::NothingTried: {
      // Every deployment is cooling down. Rather than fail outright, try the one that comes
      // back first: a cooldown is a guess, and one request is a cheap way to check it.
      // Deployments that the active checks took out (down, or drifted with on_drift: eject)
      // are not tried.
      const auto best = least_cooling(first_model, kind);
      if (!best) {
        co_await refuse_all_down(conn, first_model, log);
        co_return;
      }
      last = co_await attempt_deployment(conn, req, kind, *fields, first_model, *best, log,
                                         attempts, watch, front);
      if (last.committed) co_return;
      break;
    }
    case Ending::ClientGone:
    case Ending::Failed: break;
  }
  if (watch && watch->gone()) {
    log.error = "client disconnected";
    conn.set_close();
    co_return;
  }
  co_await answer_failure(conn, last, log, front);
}

bool Gateway::may_retry(DeploymentIndex index, AccessRecord& log,
                        const ClientWatchScope* watching) {
  const auto now = clock_.steady();
  return now < log.start + state_->whole_timeout[index] && budget_.try_retry(now) &&
         !(watching && watching->gone());
}

std::optional<DeploymentIndex> Gateway::least_cooling(std::string_view model, ApiKind kind) const {
  const auto* members = state_->routes.candidates(model);
  if (!members) return std::nullopt;
  const HealthBoard& health = *state_->health;
  std::optional<DeploymentIndex> best;
  for (DeploymentIndex i : *members) {
    const Deployment& d = state_->config.deployments[i];
    if (health.excluded(i) || !takes_request(d, model) || !serves_kind(d, kind)) continue;
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
    ClientWatchScope* watching, FrontCall* front) {
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
  bool resent = false;
  for (int again = 0;; ++again) {
    begin_attempt(conn, index, ++attempts, log);
    in_flight.counted = true;
    Attempt a = co_await attempt(conn, req, kind, fields, model, index, log, watching, front);
    in_flight.counted = false;  // end_attempt() ends it
    if (a.resend && !resent) {
      resent = true;
      end_attempt(index, a, log);
      continue;
    }
    std::optional<Duration> wait;
    if (again < d.max_retries && !a.committed && client_retries(a)) {
      std::uniform_real_distribution<double> unit(0.0, 1.0);
      wait = client_retry_delay(again, a.retry_after, unit(rng_));
      if (clock_.steady() + *wait >= log.start + state_->whole_timeout[index] ||
          !may_retry(index, log, watching))
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
  if (a.health) health.record(index, *a.health, clock_.coarse(), a.retry_after);
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
                                              AccessRecord& log, const FrontCall* front) {
  if (!last.failure) {  // cannot happen: every uncommitted attempt says why
    co_await conn.send_error(Error(Errc::Internal, "no deployment answered"));
  } else if (last.failure->error) {
    log.error = last.failure->error->message;
    co_await conn.send_error(*last.failure->error);
  } else {
    // Only now: an error the backend gave on an attempt that a retry then fixed is no error.
    const Failure& f = *last.failure;
    log.error = "backend answered " + std::to_string(f.status);
    if (front && !f.native) {  // in the client's dialect
      const int status = front->error_status(f.status);
      co_await conn.send(status, "application/json", front->error_body(f.status, f.body));
      co_return;
    }
    co_await conn.send(f.status, f.content_type, f.body);
  }
}

}  // namespace fleetgate
