// deliver(): every way a receiver can fail comes back as an error, within its timeout.
#include "fleet/notifier.h"

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>

namespace fleetgate {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

ReceiverSpec exec(std::vector<std::string> argv, Duration timeout = 2s) {
  ReceiverSpec r;
  r.name = "x";
  r.exec = std::move(argv);
  r.timeout = timeout;
  return r;
}

ReceiverSpec webhook(const std::string& url, Duration timeout = 2s) {
  ReceiverSpec r;
  r.name = "x";
  r.webhook = url;
  r.timeout = timeout;
  return r;
}

// A loopback socket that listens but never accepts (the kernel completes the handshake).
struct SilentListener {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  std::uint16_t port = 0;
  SilentListener() {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
    ::listen(fd, 4);
    socklen_t len = sizeof a;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
    port = ntohs(a.sin_port);
  }
  ~SilentListener() { ::close(fd); }
};

TEST(Notifier, ExecGetsThePayloadAndItsExitStatusCounts) {
  const std::string out = ::testing::TempDir() + "notifier-" + std::to_string(::getpid());
  ASSERT_TRUE(deliver(exec({"sh", "-c", "cat > " + out}), "{\"status\":\"firing\"}").delivered);
  std::ifstream in(out);
  std::stringstream s;
  s << in.rdbuf();
  EXPECT_EQ(s.str(), "{\"status\":\"firing\"}");
  auto failed = deliver(exec({"sh", "-c", "exit 4"}), "{}");
  ASSERT_FALSE(failed.delivered);
  EXPECT_FALSE(failed.refused);
  EXPECT_EQ(failed.error, "sh exited with status 4");
  auto missing = deliver(exec({"/nonexistent/notify"}), "{}");
  ASSERT_FALSE(missing.delivered);
  EXPECT_NE(missing.error.find("/nonexistent/notify"), std::string::npos);
}

TEST(Notifier, ExecIsKilledAtItsTimeout) {
  const auto start = Clock::now();
  auto slow = deliver(exec({"sleep", "10"}, 300ms), "{}");
  ASSERT_FALSE(slow.delivered);
  EXPECT_EQ(slow.error, "sleep took longer than its timeout");
  EXPECT_LT(Clock::now() - start, 3s);
}

TEST(Notifier, WebhookFailuresAreErrorsWithinTheTimeout) {
  SilentListener closed;
  const std::uint16_t refused_port = closed.port;
  {
    SilentListener silent;
    const auto start = Clock::now();
    auto hung =
        deliver(webhook("http://127.0.0.1:" + std::to_string(silent.port) + "/", 300ms), "{}");
    ASSERT_FALSE(hung.delivered);
    EXPECT_FALSE(hung.refused);
    EXPECT_NE(hung.error.find("reading the answer"), std::string::npos) << hung.error;
    EXPECT_LT(Clock::now() - start, 3s);
  }
  ::close(closed.fd);  // nothing listens there now
  closed.fd = -1;
  auto refused = deliver(webhook("http://127.0.0.1:" + std::to_string(refused_port) + "/"), "{}");
  ASSERT_FALSE(refused.delivered);
  EXPECT_FALSE(refused.refused);  // a refused connection may pass: retried, not set aside
  EXPECT_NE(refused.error.find("connecting to 127.0.0.1"), std::string::npos) << refused.error;
}

}  // namespace
}  // namespace fleetgate
