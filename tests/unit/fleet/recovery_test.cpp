#include "fleet/recovery.h"

#include <gtest/gtest.h>

namespace fleetgate {
namespace {

TransitionRow check(const std::string& name, const std::string& to,
                    const std::string& reason = "no ping") {
  TransitionRow t;
  t.kind = "check";
  t.name = name;
  t.to = to;
  t.reason = reason;
  return t;
}

std::vector<CheckSpecConfig> checks() {
  CheckSpecConfig healing;
  healing.name = "voice";
  healing.action_node = "ai";
  healing.action_restart = "whisper";
  CheckSpecConfig plain;
  plain.name = "backup";
  return {healing, plain};
}

TEST(Recovery, ADownCheckWithAnActionAsksForTheRestartAndItsUpIsAutomatic) {
  const auto specs = checks();
  RecoveryBook book(specs);
  std::vector<TransitionRow> down = {check("voice", "down", "no ping within 2m")};
  auto steps = book.on_transitions(down);
  ASSERT_EQ(steps.size(), 1u);
  EXPECT_EQ(steps[0].kind, RecoveryBook::Step::Kind::Restart);
  EXPECT_EQ(steps[0].check->action_restart, "whisper");
  EXPECT_EQ(steps[0].reason, "check voice is down: no ping within 2m");
  EXPECT_FALSE(down[0].automatic);

  std::vector<TransitionRow> up = {check("voice", "up", "ping")};
  steps = book.on_transitions(up);
  ASSERT_EQ(steps.size(), 1u);
  EXPECT_EQ(steps[0].kind, RecoveryBook::Step::Kind::Recovered);
  EXPECT_TRUE(up[0].automatic);
  EXPECT_EQ(up[0].reason, "ping (after the restart of ai/whisper)");
}

TEST(Recovery, AnUpWithoutARestartBeforeItIsNotAutomatic) {
  const auto specs = checks();
  RecoveryBook book(specs);
  std::vector<TransitionRow> up = {check("voice", "up", "ping")};
  book.on_transitions(up);
  EXPECT_FALSE(up[0].automatic);  // it came back; nothing of ours did it
  // Once only: a second up after one restart is not automatic again.
  std::vector<TransitionRow> down = {check("voice", "down")};
  book.on_transitions(down);
  std::vector<TransitionRow> ups = {check("voice", "up"), check("voice", "up")};
  book.on_transitions(ups);
  EXPECT_TRUE(ups[0].automatic);
  EXPECT_FALSE(ups[1].automatic);
}

TEST(Recovery, ChecksWithoutAnActionAndOtherSubjectsCallForNothing) {
  const auto specs = checks();
  RecoveryBook book(specs);
  std::vector<TransitionRow> t = {check("backup", "down"), check("unknown", "down")};
  TransitionRow node = check("voice", "down");
  node.kind = "node";
  t.push_back(node);
  EXPECT_TRUE(book.on_transitions(t).empty());
}

}  // namespace
}  // namespace fleetgate
