#include "routing/client_retry.h"

#include <gtest/gtest.h>

namespace fleetgate {

using std::chrono::milliseconds;

TEST(ClientRetry, DoublesFromHalfASecondUpToEightLessAQuarterAtMost) {
  EXPECT_EQ(client_retry_delay(0, std::nullopt, 0.0), milliseconds(500));
  EXPECT_EQ(client_retry_delay(1, std::nullopt, 0.0), milliseconds(1000));
  EXPECT_EQ(client_retry_delay(4, std::nullopt, 0.0), milliseconds(8000));
  EXPECT_EQ(client_retry_delay(9, std::nullopt, 0.0), milliseconds(8000));
  EXPECT_EQ(client_retry_delay(0, std::nullopt, 0.999), milliseconds(375));
}

TEST(ClientRetry, RetryAfterUpToAMinuteIsObeyed) {
  EXPECT_EQ(client_retry_delay(0, milliseconds(3000), 0.5), milliseconds(3000));
  EXPECT_EQ(client_retry_delay(0, std::chrono::seconds(120), 0.0), milliseconds(500));
}

TEST(ClientRetry, WhichAnswersAreRetried) {
  for (int s : {0, 408, 409, 429, 500, 502, 503}) EXPECT_TRUE(client_retries_status(s)) << s;
  for (int s : {200, 400, 401, 403, 404, 422}) EXPECT_FALSE(client_retries_status(s)) << s;
}

}  // namespace fleetgate
