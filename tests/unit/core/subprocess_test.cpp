#include "core/subprocess.h"

#include <gtest/gtest.h>

#include <chrono>

namespace fleetgate {
namespace {

using namespace std::chrono_literals;

TEST(Subprocess, FeedsInputAndCapturesOutput) {
  auto r = run_subprocess({"tr", "a-z", "A-Z"}, "hello", true, 5s);
  ASSERT_TRUE(r.start_error.empty()) << r.start_error;
  EXPECT_TRUE(r.succeeded());
  EXPECT_EQ(r.output, "HELLO");
  auto failed = run_subprocess({"sh", "-c", "exit 7"}, "", true, 5s);
  EXPECT_EQ(failed.exit_code, 7);
  auto missing = run_subprocess({"/nonexistent/program"}, "", true, 5s);
  EXPECT_FALSE(missing.start_error.empty());
}

// A command that never reads a large input must not hold the caller past its deadline.
TEST(Subprocess, NeverBlocksPastTheDeadline) {
  const std::string big(1 << 20, 'x');  // far more than a pipe holds
  const auto start = std::chrono::steady_clock::now();
  auto r = run_subprocess({"sleep", "30"}, big, false, 300ms);
  EXPECT_TRUE(r.timed_out);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
  // One that closes its stdin early and exits is just done.
  auto early = run_subprocess({"sh", "-c", "exec 0<&-; exit 0"}, big, false, 5s);
  EXPECT_FALSE(early.timed_out);
  EXPECT_TRUE(early.succeeded());
}

}  // namespace
}  // namespace fleetgate
