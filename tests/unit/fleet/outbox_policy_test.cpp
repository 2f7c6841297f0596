#include "fleet/outbox_policy.h"

#include <gtest/gtest.h>

namespace fleetgate {
namespace {

constexpr std::int64_t kNow = 1'000'000;
constexpr std::int64_t kRetryMax = 60'000;

OutboxRow row(std::int64_t id, const std::string& receiver, std::int64_t next = 0, int attempts = 0,
              int refusals = 0) {
  OutboxRow r;
  r.id = id;
  r.receiver = receiver;
  r.next_attempt_ms = next;
  r.attempts = attempts;
  r.refusals = refusals;
  return r;
}

const Delivery kOk{true, false, {}};
const Delivery kDown{false, false, "connection refused"};
const Delivery kRefused{false, true, "400 Bad Request"};

TEST(OutboxPolicy, DueRowsAreSentAndADeliveryEndsThem) {
  OutboxRound round(kNow, kRetryMax);
  std::optional<OutboxResult> moved;
  const auto r1 = row(1, "ops");
  ASSERT_EQ(round.step(r1, moved), OutboxRound::Step::Send);
  const auto done = round.outcome(r1, kOk, kNow);
  EXPECT_TRUE(done.delivered);
  EXPECT_EQ(done.attempts, 1);
  // A receiver that left the config: dropped, not retried forever.
  const auto gone = round.outcome(row(2, "old"), std::nullopt, kNow);
  EXPECT_TRUE(gone.delivered);
  EXPECT_EQ(gone.error, "receiver no longer configured");
}

TEST(OutboxPolicy, AFailureBacksOffDoublingUpToTheMaximumAndHoldsBackTheNewerOnes) {
  OutboxRound round(kNow, kRetryMax);
  std::optional<OutboxResult> moved;
  const auto firing = row(1, "ops", 0, 2);  // failed twice already
  ASSERT_EQ(round.step(firing, moved), OutboxRound::Step::Send);
  const auto r = round.outcome(firing, kDown, kNow);
  EXPECT_FALSE(r.delivered);
  EXPECT_EQ(r.attempts, 3);
  EXPECT_EQ(r.next_attempt_ms, kNow + 4000);  // 1 s << 2
  // Its "resolved", due now, waits behind it and is moved to the same time.
  ASSERT_EQ(round.step(row(2, "ops"), moved), OutboxRound::Step::Wait);
  ASSERT_TRUE(moved);
  EXPECT_EQ(moved->id, 2);
  EXPECT_EQ(moved->next_attempt_ms, kNow + 4000);
  // Another receiver is not held up.
  EXPECT_EQ(round.step(row(3, "pager"), moved), OutboxRound::Step::Send);
  EXPECT_FALSE(moved);
  // Many failures: the backoff stops at retry_max.
  EXPECT_EQ(round.outcome(row(4, "pager", 0, 30), kDown, kNow).next_attempt_ms, kNow + kRetryMax);
}

TEST(OutboxPolicy, ARowNotDueYetWaitsAndSoDoThoseBehindIt) {
  OutboxRound round(kNow, kRetryMax);
  std::optional<OutboxResult> moved;
  EXPECT_EQ(round.step(row(1, "ops", kNow + 500), moved), OutboxRound::Step::Wait);
  EXPECT_FALSE(moved);  // its own time stays
  EXPECT_EQ(round.step(row(2, "ops", kNow + 900), moved), OutboxRound::Step::Wait);
  EXPECT_FALSE(moved);  // already later than the one it waits behind
  EXPECT_EQ(round.step(row(3, "ops", 0), moved), OutboxRound::Step::Wait);
  ASSERT_TRUE(moved);
  EXPECT_EQ(moved->next_attempt_ms, kNow + 500);
  EXPECT_EQ(round.next_due_ms(), kNow + 500);  // when the notifier looks again
  EXPECT_EQ(OutboxRound(kNow, kRetryMax).next_due_ms(), std::nullopt);
}

TEST(OutboxPolicy, RefusedThreeTimesIsSetAsideSoTheOthersGoOn) {
  OutboxRound round(kNow, kRetryMax);
  auto once = round.outcome(row(1, "ops", 0, 0, 0), kRefused, kNow);
  EXPECT_FALSE(once.set_aside);
  EXPECT_EQ(once.refusals, 1);
  OutboxRound later(kNow, kRetryMax);
  auto third = later.outcome(row(1, "ops", 0, 2, kMaxRefusals - 1), kRefused, kNow);
  EXPECT_TRUE(third.set_aside);
  EXPECT_EQ(third.refusals, kMaxRefusals);
  std::optional<OutboxResult> moved;
  EXPECT_EQ(later.step(row(2, "ops"), moved), OutboxRound::Step::Send);  // not held up by it
  // A failure that may pass keeps the refusals counted so far.
  EXPECT_EQ(later.outcome(row(3, "x", 0, 1, 2), kDown, kNow).refusals, 2);
}

}  // namespace
}  // namespace fleetgate
