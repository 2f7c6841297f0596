#include "routing/candidates.h"

#include "routing/upstream_model.h"

#include <boost/container/static_vector.hpp>

#include <algorithm>

namespace fleetgate {

Choice select_candidate(Strategy strategy, std::span<const DeploymentIndex> members,
                        std::span<const Deployment> deployments, std::string_view model,
                        const Tried& tried, FunctionRef<CandidateState(DeploymentIndex)> state,
                        double r1, double r2) {
  // Built in place, only as many as there are candidates: no per-request zeroing of 64 slots.
  boost::container::static_vector<CandidateLoad, 64> loads;
  bool saturated = false;
  for (DeploymentIndex i : members) {
    if (loads.size() == loads.capacity()) break;
    if (std::find(tried.begin(), tried.end(), i) != tried.end()) continue;
    const Deployment& d = deployments[i];
    if (!takes_request(d, model)) continue;
    const CandidateState s = state(i);
    if (!s.available) continue;
    CandidateLoad& c = loads.emplace_back();
    c = CandidateLoad{i, d.weight, d.order.value_or(1), s.in_flight, s.ttfb_ewma_ms, 1.0, false};
    if (d.rpm) {
      c.headroom = std::min(c.headroom, 1.0 - static_cast<double>(s.requests_this_minute) / *d.rpm);
      c.saturated |= s.requests_this_minute >= *d.rpm;
    }
    if (d.tpm) {
      c.headroom = std::min(c.headroom, 1.0 - static_cast<double>(s.tokens_this_minute) / *d.tpm);
      c.saturated |= s.tokens_this_minute >= *d.tpm;
    }
    if (d.max_parallel_requests)
      c.saturated |= s.in_flight >= static_cast<std::int64_t>(*d.max_parallel_requests);
    saturated |= c.saturated;
  }
  const auto picked = balance(strategy, std::span(loads.data(), loads.size()), r1, r2);
  return {picked, !picked && saturated};
}

}  // namespace fleetgate
