#include "fleet/deadline_queue.h"

namespace fleetgate {

void DeadlineQueue::set(Subject s, std::optional<FleetTime> when) {
  if (s >= generation_.size()) generation_.resize(s + 1, 0);
  ++generation_[s];  // whatever was queued for it is stale now
  if (when) heap_.push(Entry{*when, s, generation_[s]});
  // Stale entries are dropped as they surface; compact when they dominate.
  if (heap_.size() > 64 && heap_.size() > 4 * generation_.size()) {
    std::vector<Entry> keep;
    while (!heap_.empty()) {
      if (live(heap_.top())) keep.push_back(heap_.top());
      heap_.pop();
    }
    for (auto& e : keep) heap_.push(e);
  }
}

void DeadlineQueue::drop_stale_top() {
  while (!heap_.empty() && !live(heap_.top())) heap_.pop();
}

std::vector<DeadlineQueue::Subject> DeadlineQueue::pop_due(FleetTime now) {
  std::vector<Subject> due;
  drop_stale_top();
  while (!heap_.empty() && heap_.top().when <= now) {
    const Subject s = heap_.top().subject;
    heap_.pop();
    ++generation_[s];  // fired: gone until set again
    due.push_back(s);
    drop_stale_top();
  }
  return due;
}

std::optional<FleetTime> DeadlineQueue::next() {
  drop_stale_top();
  if (heap_.empty()) return std::nullopt;
  return heap_.top().when;
}

}  // namespace fleetgate
