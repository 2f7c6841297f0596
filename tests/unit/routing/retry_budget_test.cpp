#include "routing/retry_budget.h"

#include <gtest/gtest.h>

namespace fleetgate {
namespace {

using namespace std::chrono_literals;
const CoarseClock::time_point t0 = CoarseClock::time_point(std::chrono::hours(10));

TEST(RetryBudget, AllowsAMinimumPlusAShareOfRequestsPerSecond) {
  RetryBudget budget(0.2, 2);
  for (int i = 0; i < 10; ++i) budget.on_request(t0);
  int allowed = 0;
  while (budget.try_retry(t0 + 100ms)) ++allowed;
  EXPECT_EQ(allowed, 2 + 2);  // the floor plus 20 % of 10
  EXPECT_FALSE(budget.try_retry(t0 + 900ms));
  EXPECT_TRUE(budget.try_retry(t0 + 1s));  // a new second
}

}  // namespace
}  // namespace fleetgate
