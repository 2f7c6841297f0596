// Every deployment's health as the request path sees it, shared by all worker threads: passive
// cooldown state behind a per-deployment mutex taken only on failures and while unhealthy, and
// lock-free counters. A healthy deployment costs two relaxed atomic loads per request.
#pragma once

#include "health/passive_health.h"

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace fleetgate {

// What the active checks last found for one deployment.
struct ProbeReport {
  bool checked = false;  // false: passive only (remote API, or checks off)
  bool up = true;        // after rise/fall
  CoarseClock::time_point since{};
  CoarseClock::time_point last_probe{};
  bool last_ok = true;
  std::string detail;               // the last probe's finding, e.g. "GET /health: 503"
  bool drift = false;               // the backend answers but does not list this deployment's model
  std::vector<std::string> listed;  // what it lists (GET /v1/models, /api/tags), as last seen
  std::string loaded_model;         // llama.cpp's GET /props: the model it has loaded
  std::optional<int> free_slots;    // llama.cpp's GET /slots, when it answers
  std::vector<std::string> loaded;  // Ollama's GET /api/ps: models in memory
};

struct DeploymentHealthView {
  ProbeReport probe;
  PassiveHealth::State state = PassiveHealth::State::Healthy;
  CoarseClock::time_point cooling_until{};
  CoarseClock::time_point changed_at{};
  int strikes = 0;
  std::int64_t in_flight = 0;
  std::uint64_t failures_total = 0;
  double ttfb_ewma_ms = -1;
};

class HealthBoard {
 public:
  HealthBoard(std::size_t deployments, CooldownPolicy policy);

  // Whether deployment `i` may take a request now (see PassiveHealth::admit).
  bool admit(std::size_t i, CoarseClock::time_point now);
  // Whether admit() would say yes, without taking a half-open trial (for filtering candidates).
  bool available(std::size_t i, CoarseClock::time_point now) const;
  void record(std::size_t i, Outcome outcome, CoarseClock::time_point now,
              std::optional<Duration> retry_after = {});

  // Load figures for balancing. `minute` is the wall-clock minute (rpm/tpm windows).
  struct Load {
    std::int64_t in_flight = 0;
    double ttfb_ewma_ms = -1;  // < 0: not measured yet
    std::uint64_t requests_this_minute = 0;
    std::uint64_t tokens_this_minute = 0;
  };
  Load load(std::size_t i, std::int64_t minute) const;
  void count_request(std::size_t i, std::int64_t minute);
  void count_tokens(std::size_t i, std::int64_t minute, std::uint64_t tokens);
  // Folds one time-to-first-byte into the deployment's moving average (weight 0.2).
  void record_ttfb(std::size_t i, double ms);

  void started(std::size_t i) { slots_[i]->in_flight.fetch_add(1, std::memory_order_relaxed); }
  void finished(std::size_t i) { slots_[i]->in_flight.fetch_sub(1, std::memory_order_relaxed); }
  std::int64_t in_flight(std::size_t i) const {
    return slots_[i]->in_flight.load(std::memory_order_relaxed);
  }
  // Active checks' findings; a down deployment gets no requests, nor a drifted one when
  // `eject_drift` (fleetgate.health_checks.on_drift: eject).
  void set_probe(std::size_t i, ProbeReport report, bool eject_drift);
  // Taken out by the active checks (down, or drifted and ejected).
  bool excluded(std::size_t i) const { return slots_[i]->excluded.load(std::memory_order_acquire); }
  // When a cooling deployment comes back (for choosing the least bad when all are cooling).
  CoarseClock::time_point cooling_until(std::size_t i) const;

  DeploymentHealthView view(std::size_t i, CoarseClock::time_point now) const;
  std::size_t size() const { return slots_.size(); }

 private:
  struct Slot {
    explicit Slot(CooldownPolicy p) : passive(p) {}
    mutable std::mutex mutex;
    PassiveHealth passive;               // guarded by mutex
    std::atomic<bool> unhealthy{false};  // passive state is not Healthy: take the lock
    std::atomic<bool> excluded{false};   // active checks: down, or drift
    ProbeReport probe;                   // guarded by mutex
    std::atomic<std::int64_t> in_flight{0};
    std::atomic<std::uint64_t> failures_total{0};
    std::atomic<double> ttfb_ewma_ms{-1};
    std::atomic<std::int64_t> minute{-1};  // the window the two counters below are for
    std::atomic<std::uint64_t> requests{0};
    std::atomic<std::uint64_t> tokens{0};
  };
  std::vector<std::unique_ptr<Slot>> slots_;
};

}  // namespace fleetgate
