#include "health/health_board.h"

namespace fleetgate {

HealthBoard::HealthBoard(std::size_t deployments, CooldownPolicy policy) {
  slots_.reserve(deployments);
  for (std::size_t i = 0; i < deployments; ++i) slots_.push_back(std::make_unique<Slot>(policy));
}

bool HealthBoard::admit(std::size_t i, CoarseClock::time_point now) {
  Slot& s = *slots_[i];
  if (s.excluded.load(std::memory_order_acquire)) return false;
  if (!s.unhealthy.load(std::memory_order_acquire)) return true;
  std::lock_guard lock(s.mutex);
  return s.passive.admit(now);
}

bool HealthBoard::available(std::size_t i, CoarseClock::time_point now) const {
  const Slot& s = *slots_[i];
  if (s.excluded.load(std::memory_order_acquire)) return false;
  if (!s.unhealthy.load(std::memory_order_acquire)) return true;
  std::lock_guard lock(s.mutex);
  return s.passive.available(now);
}

void HealthBoard::record(std::size_t i, Outcome outcome, CoarseClock::time_point now,
                         std::optional<Duration> retry_after) {
  Slot& s = *slots_[i];
  if (outcome == Outcome::Success && !s.unhealthy.load(std::memory_order_acquire)) return;
  if (outcome != Outcome::Success) s.failures_total.fetch_add(1, std::memory_order_relaxed);
  std::lock_guard lock(s.mutex);
  s.passive.record(outcome, now, retry_after);
  s.unhealthy.store(s.passive.state(now) != PassiveHealth::State::Healthy,
                    std::memory_order_release);
}

void HealthBoard::set_probe(std::size_t i, ProbeReport report, bool eject_drift) {
  Slot& s = *slots_[i];
  std::lock_guard lock(s.mutex);
  s.excluded.store(report.checked && (!report.up || (report.drift && eject_drift)),
                   std::memory_order_release);
  s.probe = std::move(report);
}

namespace {

// Moves the slot's rpm/tpm window to `minute` if it is behind. Racy by design: two threads
// may both reset; a count lost at a minute's edge is harmless for balancing.
template <class Slot>
void roll(Slot& s, std::int64_t minute) {
  std::int64_t seen = s.minute.load(std::memory_order_relaxed);
  if (seen == minute) return;
  if (s.minute.compare_exchange_strong(seen, minute, std::memory_order_relaxed)) {
    s.requests.store(0, std::memory_order_relaxed);
    s.tokens.store(0, std::memory_order_relaxed);
  }
}

}  // namespace

HealthBoard::Load HealthBoard::load(std::size_t i, std::int64_t minute) const {
  const Slot& s = *slots_[i];
  Load l;
  l.in_flight = s.in_flight.load(std::memory_order_relaxed);
  l.ttfb_ewma_ms = s.ttfb_ewma_ms.load(std::memory_order_relaxed);
  if (s.minute.load(std::memory_order_relaxed) == minute) {
    l.requests_this_minute = s.requests.load(std::memory_order_relaxed);
    l.tokens_this_minute = s.tokens.load(std::memory_order_relaxed);
  }
  return l;
}

void HealthBoard::count_request(std::size_t i, std::int64_t minute) {
  Slot& s = *slots_[i];
  roll(s, minute);
  s.requests.fetch_add(1, std::memory_order_relaxed);
}

void HealthBoard::count_tokens(std::size_t i, std::int64_t minute, std::uint64_t tokens) {
  Slot& s = *slots_[i];
  roll(s, minute);
  s.tokens.fetch_add(tokens, std::memory_order_relaxed);
}

void HealthBoard::record_ttfb(std::size_t i, double ms) {
  auto& ewma = slots_[i]->ttfb_ewma_ms;
  double old = ewma.load(std::memory_order_relaxed);
  double next;
  do {
    next = old < 0 ? ms : 0.8 * old + 0.2 * ms;
  } while (!ewma.compare_exchange_weak(old, next, std::memory_order_relaxed));
}

CoarseClock::time_point HealthBoard::cooling_until(std::size_t i) const {
  const Slot& s = *slots_[i];
  if (!s.unhealthy.load(std::memory_order_acquire)) return {};
  std::lock_guard lock(s.mutex);
  return s.passive.cooling_until();
}

DeploymentHealthView HealthBoard::view(std::size_t i, CoarseClock::time_point now) const {
  const Slot& s = *slots_[i];
  DeploymentHealthView v;
  {
    std::lock_guard lock(s.mutex);
    v.state = s.passive.state(now);
    v.cooling_until = s.passive.cooling_until();
    v.changed_at = s.passive.changed_at();
    v.probe = s.probe;
    v.strikes = s.passive.strikes();
  }
  v.in_flight = s.in_flight.load(std::memory_order_relaxed);
  v.failures_total = s.failures_total.load(std::memory_order_relaxed);
  v.ttfb_ewma_ms = s.ttfb_ewma_ms.load(std::memory_order_relaxed);
  return v;
}

}  // namespace fleetgate
