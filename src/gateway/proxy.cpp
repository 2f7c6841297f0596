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

}  // namespace fleetgate
