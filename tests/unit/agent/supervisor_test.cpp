// The supervisor on a manual clock, with a real child process: its idle timer and its backoff
// follow the clock it is given, so an hour of idleness takes no time to test.
#include "agent/supervisor.h"

#include <gtest/gtest.h>

#include <chrono>

#include <unistd.h>

namespace fleetgate {
namespace {

using namespace std::chrono_literals;

std::string state_of(const Supervisor& s, const std::string& name) {
  for (const auto& p : s.samples())
    if (p.name == name) return p.state;
  return "?";
}

// Polls (each waits at most 20 ms of real time for the child's events) until `state`.
bool reaches(Supervisor& s, const std::string& name, const std::string& state) {
  for (int i = 0; i < 250; ++i) {
    if (state_of(s, name) == state) return true;
    s.poll(std::chrono::milliseconds(20));
  }
  return state_of(s, name) == state;
}

ProcessSpec sleeper(const std::string& name) {
  ProcessSpec p;
  p.name = name;
  p.argv = {"sleep", "60"};
  p.log_path = ::testing::TempDir() + name + "-" + std::to_string(::getpid()) + ".log";
  p.stop_timeout = std::chrono::seconds(2);
  return p;
}

TEST(SupervisorClock, AnIdleOnDemandProcessStopsWhenItsClockSaysSo) {
  ManualClock clock;
  ProcessSpec p = sleeper("ondemand");
  p.on_demand = true;
  p.idle_stop_after = std::chrono::hours(1);
  Supervisor s({p}, {}, clock);
  s.submit({"ondemand", ControlAction::Start, "a request", false});
  ASSERT_TRUE(reaches(s, "ondemand", "running"));
  clock.advance(59min);
  for (int i = 0; i < 5; ++i) s.poll(std::chrono::milliseconds(10));
  EXPECT_EQ(state_of(s, "ondemand"), "running");  // not idle long enough
  s.mark_used({"ondemand"});  // used: the idle timer starts again (at the next poll)
  s.poll(std::chrono::milliseconds(10));
  clock.advance(59min);
  for (int i = 0; i < 5; ++i) s.poll(std::chrono::milliseconds(10));
  EXPECT_EQ(state_of(s, "ondemand"), "running");
  clock.advance(2min);
  EXPECT_TRUE(reaches(s, "ondemand", "stopped")) << state_of(s, "ondemand");
  s.stop_all();
}

TEST(SupervisorClock, ACrashedProcessWaitsOutItsBackoffOnTheClock) {
  ManualClock clock;
  ProcessSpec p = sleeper("crasher");
  p.argv = {"sh", "-c", "exit 3"};
  p.restart.backoff_initial = std::chrono::minutes(10);
  p.restart.backoff_max = std::chrono::minutes(10);
  Supervisor s({p}, {}, clock);
  s.start_all();
  ASSERT_TRUE(reaches(s, "crasher", "backoff"));
  for (int i = 0; i < 10; ++i) s.poll(std::chrono::milliseconds(10));
  EXPECT_EQ(state_of(s, "crasher"), "backoff");  // ten real polls are not ten minutes
  int restarts = 0;
  for (const auto& q : s.samples()) restarts = q.restarts;
  clock.advance(10min);
  // Restarted once its backoff has passed on the clock: it crashes again, back to backoff.
  bool restarted = false;
  for (int i = 0; i < 250 && !restarted; ++i) {
    s.poll(std::chrono::milliseconds(20));
    for (const auto& q : s.samples()) restarted = q.restarts > restarts;
  }
  EXPECT_TRUE(restarted);
  s.stop_all();
}

}  // namespace
}  // namespace fleetgate
