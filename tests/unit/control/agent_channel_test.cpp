#include "control/agent_channel.h"

#include <gtest/gtest.h>

namespace fleetgate {
namespace {

using namespace std::chrono_literals;

TEST(AgentChannel, QueuesCommandsPerNodeUntilTheAgentTakesThem) {
  AgentChannel c;
  const ControlTime t0{};
  EXPECT_FALSE(c.has_commands("gpu1", t0));
  c.send("gpu1", {"vllm", ControlAction::Start, "a request for big", false}, t0);
  c.send("gpu2", {"loop", ControlAction::Restart, "check down", true}, t0);
  EXPECT_TRUE(c.has_commands("gpu1", t0 + 1s));
  auto r = c.take("gpu1", t0 + 1s);
  ASSERT_EQ(r.commands.size(), 1u);
  EXPECT_EQ(r.commands[0].process, "vllm");
  EXPECT_FALSE(c.has_commands("gpu1", t0 + 1s));
  EXPECT_TRUE(c.has_commands("gpu2", t0 + 1s));  // another node's stay
}

TEST(AgentChannel, DropsCommandsNobodyFetchedInTime) {
  AgentChannel c(2min);
  const ControlTime t0{};
  c.send("gpu1", {"vllm", ControlAction::Restart, "", true}, t0);
  EXPECT_TRUE(c.has_commands("gpu1", t0 + 119s));
  EXPECT_FALSE(c.has_commands("gpu1", t0 + 121s));
  EXPECT_TRUE(c.take("gpu1", t0 + 121s).commands.empty());
}

TEST(AgentChannel, ConnectedWhileAPollIsOpenAndBrieflyAfter) {
  AgentChannel c;
  const ControlTime t0{};
  EXPECT_FALSE(c.connected("gpu1", t0));
  c.polling("gpu1", +1, t0);
  EXPECT_TRUE(c.connected("gpu1", t0 + 1h));  // a long poll is open
  c.polling("gpu1", -1, t0 + 20s);
  EXPECT_TRUE(c.connected("gpu1", t0 + 24s));
  EXPECT_FALSE(c.connected("gpu1", t0 + 26s));
}

TEST(AgentChannel, UseIsToldOnceAndUnhealthyUntilCleared) {
  AgentChannel c;
  const ControlTime t0{};
  c.touch("gpu1", "vllm");
  c.touch("gpu1", "vllm");
  c.set_unhealthy("gpu1", "loop", true);
  auto r = c.take("gpu1", t0);
  EXPECT_EQ(r.in_use, std::vector<std::string>{"vllm"});
  EXPECT_EQ(r.unhealthy, std::vector<std::string>{"loop"});
  r = c.take("gpu1", t0);
  EXPECT_TRUE(r.in_use.empty());
  EXPECT_EQ(r.unhealthy, std::vector<std::string>{"loop"});
  c.set_unhealthy("gpu1", "loop", false);
  EXPECT_TRUE(c.take("gpu1", t0).unhealthy.empty());
}

TEST(AgentChannel, ProcessStatesAreDatedByTheHeartbeatThatBroughtThem) {
  AgentChannel c;
  const ControlTime t0{};
  EXPECT_FALSE(c.process("gpu1", "vllm"));
  c.process_states("gpu1", {{"vllm", "starting"}}, t0);
  c.process_states("gpu1", {{"vllm", "running"}}, t0 + 3s);
  auto p = c.process("gpu1", "vllm");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->state, ProcessState::Running);
  EXPECT_EQ(p->updated, t0 + 3s);
}

TEST(ControlReply, RoundTripsAndRejectsMalformedAnswers) {
  ControlReply r;
  r.commands.push_back({"vllm", ControlAction::Restart, "check \"x\" is down", true});
  r.in_use = {"a"};
  r.unhealthy = {"b"};
  auto back = parse_control_reply(control_reply_json(r));
  ASSERT_TRUE(back) << back.error().message;
  ASSERT_EQ(back->commands.size(), 1u);
  EXPECT_EQ(back->commands[0].reason, "check \"x\" is down");
  EXPECT_TRUE(back->commands[0].recovery);
  EXPECT_EQ(back->commands[0].action, ControlAction::Restart);
  EXPECT_EQ(back->in_use, r.in_use);
  EXPECT_EQ(back->unhealthy, r.unhealthy);
  EXPECT_FALSE(parse_control_reply("not json"));
  EXPECT_FALSE(parse_control_reply(R"({"commands":[{"process":1}]})"));
  EXPECT_FALSE(parse_control_reply(R"({"commands":{}})"));
  EXPECT_FALSE(parse_control_reply(R"({"in_use":[1]})"));
}

// A newer control plane's action is one skipped command, not a broken poll.
TEST(ControlReply, AnActionThisAgentDoesNotKnowIsSkippedAndNamed) {
  auto r = parse_control_reply(
      R"({"commands":[{"process":"a","action":"hibernate"},{"process":"b","action":"stop"}]})");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->commands.size(), 1u);
  EXPECT_EQ(r->commands[0].process, "b");
  EXPECT_EQ(r->commands[0].action, ControlAction::Stop);
  EXPECT_EQ(r->unknown, std::vector<std::string>{"hibernate of a"});
}

TEST(Vocabulary, EveryWordRoundTrips) {
  for (auto s :
       {ProcessState::Stopped, ProcessState::Starting, ProcessState::Running, ProcessState::Backoff,
        ProcessState::Stopping, ProcessState::Exited, ProcessState::Fatal})
    EXPECT_EQ(parse_process_state(to_string(s)), s);
  for (auto a : {ControlAction::Start, ControlAction::Stop, ControlAction::Restart})
    EXPECT_EQ(parse_control_action(to_string(a)), a);
  EXPECT_FALSE(parse_process_state("Running"));
  EXPECT_FALSE(parse_control_action(""));
  EXPECT_TRUE(failed(ProcessState::Backoff));
  EXPECT_FALSE(failed(ProcessState::Stopped));
}

}  // namespace
}  // namespace fleetgate
