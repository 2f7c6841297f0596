// Deadlines of many subjects (checks, nodes) in a min-heap with lazy deletion: re-arming a
// subject pushes a new entry and bumps its generation, so stale entries are skipped on pop.
// O(log n) per ping; a missed deadline is found as soon as the caller looks at `now`, with no
// periodic scan of every subject. Pure.
#pragma once

#include "fleet/check_state.h"

#include <cstdint>
#include <queue>
#include <vector>

namespace fleetgate {

class DeadlineQueue {
 public:
  using Subject = std::uint32_t;

  // Sets (or moves) the subject's deadline; nullopt clears it.
  void set(Subject s, std::optional<FleetTime> when);
  // The subjects whose deadline is at or before `now`, earliest first; each comes out once.
  std::vector<Subject> pop_due(FleetTime now);
  // The earliest live deadline, to arm one timer for.
  std::optional<FleetTime> next();
  std::size_t size() const { return heap_.size(); }

 private:
  struct Entry {
    FleetTime when;
    Subject subject;
    std::uint32_t generation;
    bool operator>(const Entry& o) const { return when > o.when; }
  };
  bool live(const Entry& e) const {
    return e.subject < generation_.size() && generation_[e.subject] == e.generation;
  }
  void drop_stale_top();

  std::priority_queue<Entry, std::vector<Entry>, std::greater<>> heap_;
  std::vector<std::uint32_t> generation_;  // by subject
};

}  // namespace fleetgate
