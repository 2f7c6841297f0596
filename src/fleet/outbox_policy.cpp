#include "fleet/outbox_policy.h"

#include <algorithm>

namespace fleetgate {

OutboxRound::Step OutboxRound::step(const OutboxRow& row, std::optional<OutboxResult>& moved) {
  moved.reset();
  if (auto b = blocked_.find(row.receiver); b != blocked_.end()) {
    if (row.next_attempt_ms < b->second) {
      OutboxResult r;
      r.id = row.id;
      r.attempts = row.attempts;
      r.refusals = row.refusals;
      r.next_attempt_ms = b->second;
      moved = std::move(r);
    }
    return Step::Wait;
  }
  if (row.next_attempt_ms > now_ms_) {
    blocked_[row.receiver] = row.next_attempt_ms;
    return Step::Wait;
  }
  return Step::Send;
}

OutboxResult OutboxRound::outcome(const OutboxRow& row, const std::optional<Delivery>& delivery,
                                  std::int64_t at_ms) {
  OutboxResult r;
  r.id = row.id;
  r.attempts = row.attempts + 1;
  r.refusals = row.refusals;
  r.at_ms = at_ms;
  if (!delivery) {
    r.delivered = true;  // nobody to deliver to
    r.error = "receiver no longer configured";
    return r;
  }
  if (delivery->delivered) {
    r.delivered = true;
    return r;
  }
  r.error = delivery->error;
  if (delivery->refused && ++r.refusals >= kMaxRefusals) {
    r.set_aside = true;  // it will not be taken, however often it is sent: the ones behind go on
    return r;
  }
  const std::int64_t backoff =
      std::min<std::int64_t>(retry_max_ms_, std::int64_t{1000} << std::min(row.attempts, 20));
  r.next_attempt_ms = at_ms + backoff;
  blocked_[row.receiver] = r.next_attempt_ms;
  return r;
}

std::optional<std::int64_t> OutboxRound::next_due_ms() const {
  std::optional<std::int64_t> next;
  for (const auto& [receiver, at] : blocked_) next = next ? std::min(*next, at) : at;
  return next;
}

}  // namespace fleetgate
