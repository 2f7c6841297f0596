// router_settings.routing_strategy over the deployments that may take a request now, after
// `order` (priority: use order 1 while it has capacity, spill to 2, ...). Pure: the caller
// passes the load figures and the random numbers.
#pragma once

#include "routing/route_table.h"

#include <optional>
#include <span>
#include <string_view>

namespace fleetgate {

enum class Strategy { SimpleShuffle, LeastBusy, LatencyBased, UsageBased };

// LiteLLM's names; anything unknown is simple-shuffle (the loader rejects unknown names).
Strategy parse_strategy(std::string_view name);

struct CandidateLoad {
  DeploymentIndex index = 0;
  double weight = 1.0;
  int order = 1;
  std::int64_t in_flight = 0;
  double ttfb_ewma_ms = -1;  // < 0: not measured yet (tried first, to learn it)
  double headroom = 1.0;     // share of rpm/tpm left this minute; 1 without limits
  bool saturated = false;    // at max_parallel_requests, rpm or tpm
};

// The pick, or nullopt when every candidate is saturated (or there are none).
// `r1`, `r2` are uniform in [0, 1).
std::optional<DeploymentIndex> balance(Strategy strategy, std::span<const CandidateLoad> candidates,
                                       double r1, double r2);

}  // namespace fleetgate
