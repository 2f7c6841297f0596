#include "control/wake_judge.h"

#include <gtest/gtest.h>

namespace fleetgate {
namespace {

using namespace std::chrono_literals;
using View = AgentChannel::ProcessView;

const ControlTime kAsked = ControlTime(100s);
const WakeJudge kJudge{kAsked, kAsked + 30s};

View said(ProcessState s, ControlTime when) { return View{s, when}; }

TEST(WakeJudge, ReadyOnlyWhenAHeartbeatAfterTheAskSaysRunning) {
  EXPECT_EQ(kJudge.judge(said(ProcessState::Running, kAsked + 1s), true, kAsked + 2s),
            WakeVerdict::Ready);
  // Running, but said before the ask (an older heartbeat): not evidence yet.
  EXPECT_EQ(kJudge.judge(said(ProcessState::Running, kAsked - 1s), true, kAsked + 2s),
            WakeVerdict::Wait);
  EXPECT_EQ(kJudge.judge(said(ProcessState::Starting, kAsked + 1s), true, kAsked + 2s),
            WakeVerdict::Wait);
}

TEST(WakeJudge, FailedWhenItDiedAfterTheAsk) {
  EXPECT_EQ(kJudge.judge(said(ProcessState::Fatal, kAsked + 1s), true, kAsked + 2s),
            WakeVerdict::Failed);
  EXPECT_EQ(kJudge.judge(said(ProcessState::Exited, kAsked + 1s), true, kAsked + 2s),
            WakeVerdict::Failed);
  // An exit from before the ask is the state it was woken from.
  EXPECT_EQ(kJudge.judge(said(ProcessState::Exited, kAsked - 5s), true, kAsked + 2s),
            WakeVerdict::Wait);
}

TEST(WakeJudge, MissingOnlyWhenTheAgentReportsWithoutIt) {
  EXPECT_EQ(kJudge.judge(std::nullopt, true, kAsked + 1s), WakeVerdict::Missing);
  EXPECT_EQ(kJudge.judge(std::nullopt, false, kAsked + 1s), WakeVerdict::Wait);
}

TEST(WakeJudge, TimedOutAtTheDeadlineAndNotBefore) {
  const auto starting = said(ProcessState::Starting, kAsked + 1s);
  EXPECT_EQ(kJudge.judge(starting, true, kAsked + 30s - 1ms), WakeVerdict::Wait);
  EXPECT_EQ(kJudge.judge(starting, true, kAsked + 30s), WakeVerdict::TimedOut);
  // Evidence beats the clock: ready at the deadline is ready.
  EXPECT_EQ(kJudge.judge(said(ProcessState::Running, kAsked + 29s), true, kAsked + 31s),
            WakeVerdict::Ready);
  // A state word this version does not know is no evidence either way.
  EXPECT_EQ(kJudge.judge(View{std::nullopt, kAsked + 1s}, true, kAsked + 2s), WakeVerdict::Wait);
}

}  // namespace
}  // namespace fleetgate
