// Zero heap allocations per proxied request in the steady state, JSON and SSE: the server's
// I/O threads count their allocations (server/heap_count), and /metrics says how many.
#include "support/child_process.h"
#include "support/fleet.h"
#include "support/http_client.h"

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <regex>
#include <string>

namespace fleetgate::test {
namespace {

// One keep-alive connection: a request, then its whole response (Content-Length or chunked).
class KeepAlive {
 public:
  explicit KeepAlive(std::uint16_t port) : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    timeval tv{10, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ok_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  }
  ~KeepAlive() { ::close(fd_); }
  // The response's status, or 0 when it did not come whole.
  int post(const std::string& body) {
    const std::string req =
        "POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: "
        "application/json\r\nContent-Length: " +
        std::to_string(body.size()) + "\r\n\r\n" + body;
    if (!ok_ || ::send(fd_, req.data(), req.size(), MSG_NOSIGNAL) != ssize_t(req.size())) return 0;
    std::string in;
    char buf[16384];
    while (true) {
      const auto head_end = in.find("\r\n\r\n");
      if (head_end != std::string::npos) {
        const std::string head = in.substr(0, head_end);
        std::smatch m;
        if (std::regex_search(head, m, std::regex("[Cc]ontent-[Ll]ength: (\\d+)"))) {
          if (in.size() >= head_end + 4 + std::stoul(m[1])) return std::stoi(in.substr(9, 3));
        } else if (in.find("\r\n0\r\n\r\n", head_end) != std::string::npos) {
          return std::stoi(in.substr(9, 3));
        }
      }
      const auto n = ::recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) return 0;
      in.append(buf, static_cast<std::size_t>(n));
    }
  }

 private:
  int fd_;
  bool ok_ = false;
};

std::uint64_t allocations(std::uint16_t port) {
  const auto m = http_request(port, "GET", "/metrics");
  std::smatch match;
  const std::regex line("\nfleetgate_worker_heap_allocations_total (\\d+)\n");
  if (!std::regex_search(m.body, match, line)) throw std::runtime_error("no counter: " + m.body);
  return std::stoull(match[1]);
}

// Allocations on the server's I/O threads over `n` requests after as many to warm up, less
// what reading the counter itself costs.
std::uint64_t steady_allocations(std::uint16_t port, const std::string& body, int n) {
  KeepAlive conn(port);
  for (int i = 0; i < n; ++i) EXPECT_EQ(conn.post(body), 200);
  const auto a = allocations(port);
  const auto b = allocations(port);
  for (int i = 0; i < n; ++i) EXPECT_EQ(conn.post(body), 200);
  const auto c = allocations(port);
  const auto scrape = b - a;
  return c - b > scrape ? c - b - scrape : 0;
}

}  // namespace

TEST(Allocations, NonePerProxiedRequestInTheSteadyState) {
  auto sim = start_sim({"--models", "m", "--tokens", "20"});
  auto gw = start_gateway("model_list:\n" + deployment("m", "openai/m", sim.port) +
                          "fleetgate: {access_log: " + write_config("") + ".log}\n");
  const std::string json = R"({"model":"m","messages":[{"role":"user","content":"hi"}]})";
  const std::string sse =
      R"({"model":"m","stream":true,"messages":[{"role":"user","content":"hi"}]})";
  // A test that could not fail would prove nothing: the counter moves with the traffic.
  ASSERT_GT(allocations(gw.port), 0u);
  EXPECT_LE(steady_allocations(gw.port, json, 500), 2u) << "JSON: allocations in 500 requests";
  EXPECT_LE(steady_allocations(gw.port, sse, 300), 2u) << "SSE: allocations in 300 streams";
}

}  // namespace fleetgate::test
