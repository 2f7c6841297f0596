// One request's way through the fleet, as plain code that reads no clock and does no I/O:
// which model to try (the requested one, then its fallbacks or the auto router's tiers; the
// context-window fallbacks after a context-window error), how many deployments of each
// (1 + router_settings.num_retries), which were tried, when to wait for room (every deployment
// at its limits, within fleetgate.max_queued and queue_timeout), when to wake an on-demand
// deployment, and when to give up (the request's deadline, the retry budget, a client gone).
// The completions handler asks it for each step and tells it what came of each.
#pragma once

#include "config/config.h"
#include "core/function_ref.h"
#include "routing/fallback_chain.h"
#include "routing/retry_budget.h"
#include "routing/route_table.h"

#include <boost/container/small_vector.hpp>

#include <chrono>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace fleetgate {

using PlanClock = std::chrono::steady_clock;
using Tried = boost::container::small_vector<DeploymentIndex, 4>;

// What candidate selection found for a model.
struct Choice {
  std::optional<DeploymentIndex> index;
  bool saturated = false;  // none: every one that is up is at its limits
};
using Chooser = FunctionRef<Choice(std::string_view model, const Tried& tried)>;

// What one deployment's turn came to, as far as the plan cares.
struct TurnResult {
  bool committed = false;       // the client got the answer (or its start): done
  bool retryable = false;       // another deployment may do better
  bool context_window = false;  // the prompt is too long for this model
};

struct PlanSettings {
  int tries_per_model = 3;  // 1 + router_settings.num_retries
  int max_fallbacks = 5;
  Duration queue_timeout = std::chrono::seconds(5);
  Duration queue_poll = std::chrono::milliseconds(20);
  bool can_wake = false;  // on-demand deployments can be woken (there is an agent channel)
};

// What the caller does next.
enum class Action {
  Try,   // give deployment `index` its turn (after HealthBoard::admit; lost() if that fails)
  Wake,  // ask an agent for one of model()'s sleeping on-demand deployments, then woke()
  Wait,  // everything is at its limits: wait `wait` for room (holding a queue slot)
  Stop,  // see ending()
};
struct Step {
  Action action = Action::Stop;
  DeploymentIndex index = 0;
  Duration wait{};
};

// What is known when a step is asked for.
struct StepInputs {
  PlanClock::time_point now;
  bool queue_has_room = true;  // fewer than fleetgate.max_queued requests wait on this worker
  bool client_gone = false;
};

enum class Ending {
  Answered,      // a turn committed
  Failed,        // turns ran and none answered: answer with the last one's failure
  ClientGone,    // the client left before an answer
  WakeFailed,    // nothing ran: an on-demand deployment was asked to start and did not
  Saturated,     // nothing ran: everything is at its limits
  NothingTried,  // nothing ran: nothing is available (all cooling down, or down)
};

class AttemptPlan {
 public:
  // `whole_timeouts`: by deployment, the request's whole time there. `then`: the auto router's
  // fall-through models for the chosen tier; empty: the first model's fallbacks.
  AttemptPlan(const RouteTable& routes, std::span<const Duration> whole_timeouts,
              const PlanSettings& settings, std::string_view first_model,
              std::span<const std::string> then, PlanClock::time_point start);

  std::string_view model() const { return model_; }
  std::string_view first_model() const { return first_model_; }
  const Tried& tried() const { return tried_; }
  int turns() const { return turns_; }
  bool waiting() const { return waiting_; }  // in the queue for room

  Step next(Chooser choose, const StepInputs& in, RetryBudget& budget);
  // After a Wake step: the deployment that came up (the next step tries it), or none;
  // `failed`: one was asked and did not come.
  void woke(std::optional<DeploymentIndex> index, bool failed);
  // After a Try step whose deployment another request's half-open trial took first.
  void lost(DeploymentIndex index);
  // After a Try step's turn.
  void record(const TurnResult& result);
  // Once next() said Stop. `choose` is asked again only when nothing ran, to tell saturation
  // from unavailability.
  Ending ending(Chooser choose, bool client_gone) const;

 private:
  void next_model();  // this model is done: its fallbacks (or tiers), or stop
  bool may_retry(DeploymentIndex index, const StepInputs& in, RetryBudget& budget) const;

  const RouteTable& routes_;
  std::span<const Duration> whole_timeouts_;
  PlanSettings settings_;
  std::span<const std::string> then_;
  PlanClock::time_point start_;
  std::string_view first_model_;
  std::string_view model_;
  Tried tried_;
  ModelChain chain_;
  ModelChain models_done_;
  std::size_t next_in_chain_ = 0;
  std::optional<DeploymentIndex> pending_;   // the deployment of the Try step under way
  std::optional<DeploymentIndex> woken_to_;  // the deployment a wake brought up
  PlanClock::time_point queue_until_{};
  int tries_ = 0;  // turns of model_
  int turns_ = 0;  // turns of every model
  bool chain_built_ = false;
  bool switched_to_context_fallbacks_ = false;
  bool woken_ = false;       // asked an agent already (once per request)
  bool after_wake_ = false;  // the next choice is the wake's
  bool wake_failed_ = false;
  bool waiting_ = false;
  bool stopped_ = false;
  bool answered_ = false;
};

}  // namespace fleetgate
