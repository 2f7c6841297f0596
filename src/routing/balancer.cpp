#include "routing/balancer.h"

#include <algorithm>
#include <array>
#include <limits>

namespace fleetgate {

Strategy parse_strategy(std::string_view name) {
  if (name == "least-busy") return Strategy::LeastBusy;
  if (name == "latency-based-routing") return Strategy::LatencyBased;
  if (name == "usage-based-routing" || name == "usage-based-routing-v2")
    return Strategy::UsageBased;
  return Strategy::SimpleShuffle;
}

namespace {

constexpr std::size_t kMaxGroup = 64;  // candidates of one model; more are ignored

// Index into `group` of a random member among those for which `best` holds equally.
template <class Key>
std::size_t pick_best(std::span<const CandidateLoad* const> group, double r, Key key) {
  auto best = key(*group[0]);
  std::size_t ties = 0;
  for (const auto* c : group) {
    const auto k = key(*c);
    if (k < best) {
      best = k;
      ties = 1;
    } else if (k == best) {
      ++ties;
    }
  }
  std::size_t chosen = static_cast<std::size_t>(r * static_cast<double>(ties));
  for (std::size_t i = 0; i < group.size(); ++i)
    if (key(*group[i]) == best && chosen-- == 0) return i;
  return 0;
}

}  // namespace

std::optional<DeploymentIndex> balance(Strategy strategy, std::span<const CandidateLoad> candidates,
                                       double r1, double r2) {
  // The best priority that has room, then the strategy within it.
  int order = std::numeric_limits<int>::max();
  for (const auto& c : candidates)
    if (!c.saturated) order = std::min(order, c.order);
  std::array<const CandidateLoad*, kMaxGroup> storage;  // only the first n are used
  std::size_t n = 0;
  for (const auto& c : candidates)
    if (!c.saturated && c.order == order && n < kMaxGroup) storage[n++] = &c;
  if (n == 0) return std::nullopt;
  const std::span<const CandidateLoad* const> group(storage.data(), n);

  switch (strategy) {
    case Strategy::SimpleShuffle: {
      double total = 0;
      for (const auto* c : group) total += c->weight;
      double target = r1 * total;
      for (const auto* c : group) {
        if (target < c->weight) return c->index;
        target -= c->weight;
      }
      return group.back()->index;
    }
    case Strategy::LeastBusy:
      return group[pick_best(group, r1, [](const CandidateLoad& c) { return c.in_flight; })]->index;
    case Strategy::LatencyBased: {
      // Power of two choices: two at random, the faster of them. Unmeasured counts as fastest.
      const auto a = static_cast<std::size_t>(r1 * static_cast<double>(n)) % n;
      auto b = static_cast<std::size_t>(r2 * static_cast<double>(n - 1)) %
               std::max<std::size_t>(1, n - 1);
      if (n > 1 && b >= a) ++b;
      if (n == 1) b = a;
      const auto ms = [](const CandidateLoad& c) { return std::max(0.0, c.ttfb_ewma_ms); };
      return ms(*group[b]) < ms(*group[a]) ? group[b]->index : group[a]->index;
    }
    case Strategy::UsageBased:
      return group[pick_best(group, r1, [](const CandidateLoad& c) { return -c.headroom; })]->index;
  }
  return group.front()->index;
}

}  // namespace fleetgate
