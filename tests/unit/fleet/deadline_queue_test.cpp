// The deadline queue: only live, due deadlines pop, in order, and it stays compact.
#include "fleet/deadline_queue.h"

#include <gtest/gtest.h>
#include <random>

namespace fleetgate {
namespace {

using namespace std::chrono_literals;

const FleetTime t0 = FleetTime(std::chrono::hours(100));

TEST(DeadlineQueue, PopsOnlyLiveDueDeadlinesInOrder) {
  DeadlineQueue q;
  q.set(1, t0 + 5s);
  q.set(2, t0 + 3s);
  q.set(3, t0 + 4s);
  q.set(2, t0 + 10s);  // re-armed: the old entry is stale
  q.set(3, std::nullopt);
  EXPECT_EQ(q.next(), t0 + 5s);
  EXPECT_TRUE(q.pop_due(t0 + 4s).empty());
  EXPECT_EQ(q.pop_due(t0 + 9s), std::vector<DeadlineQueue::Subject>{1});
  EXPECT_TRUE(q.pop_due(t0 + 9s).empty());  // each fires once
  EXPECT_EQ(q.pop_due(t0 + 10s), std::vector<DeadlineQueue::Subject>{2});
  EXPECT_FALSE(q.next());
}

TEST(DeadlineQueue, TenThousandSubjectsPingedOftenStayCompactAndExact) {
  DeadlineQueue q;
  std::mt19937 rng(7);
  std::vector<FleetTime> latest(10000);
  for (int round = 0; round < 20; ++round) {
    for (DeadlineQueue::Subject s = 0; s < 10000; ++s) {
      latest[s] = t0 + std::chrono::milliseconds(rng() % 60000);
      q.set(s, latest[s]);
    }
  }
  EXPECT_LE(q.size(), 4u * 10000);  // stale entries are compacted away
  auto due = q.pop_due(t0 + 30s);
  std::size_t expected = 0;
  for (const auto& t : latest) expected += t <= t0 + 30s;
  EXPECT_EQ(due.size(), expected);
  for (auto s : due) EXPECT_LE(latest[s], t0 + 30s);
}

}  // namespace
}  // namespace fleetgate
