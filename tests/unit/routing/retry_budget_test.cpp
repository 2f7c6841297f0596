#include "routing/retry_budget.h"

#include <gtest/gtest.h>

namespace fleetgate {
namespace {

using namespace std::chrono_literals;
const CoarseClock::time_point t0 = CoarseClock::time_point(std::chrono::hours(10));

TEST(RetryBudget, AllowsAFloorPlusAShareOfTheLastTenSeconds) {
  RetryBudget budget(0.2, 1);
  for (int i = 0; i < 100; ++i) budget.on_request(t0);
  int allowed = 0;
  while (budget.try_retry(t0 + 100ms)) ++allowed;
  EXPECT_EQ(allowed, 10 + 20);  // 1/s over 10 s, plus 20 % of 100
}

TEST(RetryBudget, RequestsKeepEarningRetriesAfterTrafficStops) {
  // Everything is stuck on a hung backend: no new requests for a few seconds, yet the
  // requests of the last seconds still pay for their retries.
  RetryBudget budget(0.2, 0);
  for (int i = 0; i < 1000; ++i) budget.on_request(t0);
  int allowed = 0;
  while (budget.try_retry(t0 + 3s)) ++allowed;
  EXPECT_EQ(allowed, 200);
}

TEST(RetryBudget, OldSecondsAgeOut) {
  RetryBudget budget(0.2, 0);
  for (int i = 0; i < 1000; ++i) budget.on_request(t0);
  EXPECT_FALSE(budget.try_retry(t0 + 11s));  // those requests are more than 10 s old
  for (int i = 0; i < 10; ++i) budget.on_request(t0 + 11s);
  EXPECT_TRUE(budget.try_retry(t0 + 11s));
  EXPECT_TRUE(budget.try_retry(t0 + 11s));
  EXPECT_FALSE(budget.try_retry(t0 + 11s));
}

}  // namespace
}  // namespace fleetgate
