// Candidate selection for one model: of its deployments, the ones that may take this request
// (not tried yet, up, awake, and taking the requested name), each with its rpm/tpm headroom
// and whether it is at its limits (max_parallel_requests, rpm, tpm), then the routing strategy.
// Pure: the caller passes each deployment's state and the random numbers.
#pragma once

#include "config/config.h"
#include "core/function_ref.h"
#include "routing/attempt_plan.h"
#include "routing/balancer.h"

#include <cstdint>
#include <span>
#include <string_view>

namespace fleetgate {

// What the caller knows of one deployment now.
struct CandidateState {
  bool available = true;  // passive and active health let it take a request, and it is awake
  std::int64_t in_flight = 0;
  double ttfb_ewma_ms = -1;  // < 0: not measured yet
  std::uint64_t requests_this_minute = 0;
  std::uint64_t tokens_this_minute = 0;
};

// `members`: the model's deployments (RouteTable::candidates). At most 64 are considered.
Choice select_candidate(Strategy strategy, std::span<const DeploymentIndex> members,
                        std::span<const Deployment> deployments, std::string_view model,
                        const Tried& tried, FunctionRef<CandidateState(DeploymentIndex)> state,
                        double r1, double r2);

}  // namespace fleetgate
