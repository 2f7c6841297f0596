#include "routing/attempt_plan.h"

namespace fleetgate {

AttemptPlan::AttemptPlan(const RouteTable& routes, std::span<const Duration> whole_timeouts,
                         const PlanSettings& settings, std::string_view first_model,
                         std::span<const std::string> then, PlanClock::time_point start)
    : routes_(routes),
      whole_timeouts_(whole_timeouts),
      settings_(settings),
      then_(then),
      start_(start),
      first_model_(first_model),
      model_(first_model) {
  models_done_.push_back(model_);
}

Step AttemptPlan::next(Chooser choose, const StepInputs& in, RetryBudget& budget) {
  while (!stopped_) {
    if (tries_ >= settings_.tries_per_model) {
      next_model();
      continue;
    }
    Choice choice;
    if (after_wake_) {
      after_wake_ = false;
      choice.index = std::exchange(woken_to_, std::nullopt);
    } else {
      choice = choose(model_, tried_);
      if (!choice.index && !choice.saturated && !woken_ && settings_.can_wake) {
        woken_ = true;
        return Step{Action::Wake};
      }
    }
    if (!choice.index && choice.saturated && turns_ == 0) {
      // Every deployment is at its limit: wait for room, briefly and in bounded numbers.
      if (!waiting_) {
        if (!in.queue_has_room) {
          next_model();
          continue;
        }
        waiting_ = true;
        queue_until_ = in.now + settings_.queue_timeout;
      }
      if (in.now >= queue_until_) {
        next_model();  // still waiting_: the ending is Saturated unless a fallback answers
        continue;
      }
      return Step{Action::Wait, 0, settings_.queue_poll};
    }
    waiting_ = false;
    if (!choice.index) {
      next_model();
      continue;
    }
    if (turns_ > 0 && !may_retry(*choice.index, in, budget)) {
      stopped_ = true;
      break;
    }
    pending_ = choice.index;
    return Step{Action::Try, *choice.index};
  }
  return Step{Action::Stop};
}

bool AttemptPlan::may_retry(DeploymentIndex index, const StepInputs& in,
                            RetryBudget& budget) const {
  return in.now < start_ + whole_timeouts_[index] && !in.client_gone && budget.try_retry(in.now);
}

void AttemptPlan::woke(std::optional<DeploymentIndex> index, bool failed) {
  woken_to_ = index;
  after_wake_ = true;
  wake_failed_ = failed;
}

void AttemptPlan::lost(DeploymentIndex index) {
  tried_.push_back(index);
  pending_.reset();
}

void AttemptPlan::record(const TurnResult& result) {
  if (pending_) tried_.push_back(*pending_);
  pending_.reset();
  ++tries_;
  ++turns_;
  if (result.committed) {
    answered_ = stopped_ = true;
    return;
  }
  if (result.retryable) return;
  if (result.context_window && !switched_to_context_fallbacks_) {
    // Only the models made for longer prompts, and none of those already tried.
    switched_to_context_fallbacks_ = true;
    chain_ = fallback_chain(routes_, model_, FallbackKind::ContextWindow, settings_.max_fallbacks,
                            models_done_);
    chain_built_ = true;
    next_in_chain_ = 0;
    next_model();
    return;
  }
  stopped_ = true;  // what failed was the request itself: no deployment would do better
}

void AttemptPlan::next_model() {
  if (!chain_built_) {  // worked out only once the first model has failed
    chain_built_ = true;
    if (!then_.empty())
      for (const auto& m : then_) chain_.push_back(m);
    else
      chain_ =
          fallback_chain(routes_, first_model_, FallbackKind::General, settings_.max_fallbacks);
  }
  if (next_in_chain_ >= chain_.size()) {
    stopped_ = true;
    return;
  }
  model_ = chain_[next_in_chain_++];
  models_done_.push_back(model_);
  tries_ = 0;
}

Ending AttemptPlan::ending(Chooser choose, bool client_gone) const {
  if (answered_) return Ending::Answered;
  if (turns_ == 0) {
    if (wake_failed_) return Ending::WakeFailed;
    if (waiting_ || choose(first_model_, Tried{}).saturated) return Ending::Saturated;
    return Ending::NothingTried;
  }
  return client_gone ? Ending::ClientGone : Ending::Failed;
}

}  // namespace fleetgate
