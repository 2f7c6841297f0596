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

#include <memory>
#include <regex>
#include <string>
#include <vector>

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
  bool send(const std::string& body) {
    return send_raw(
        "POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: "
        "application/json\r\nContent-Length: " +
        std::to_string(body.size()) + "\r\n\r\n" + body);
  }
  bool send_raw(const std::string& req) {
    return ok_ && ::send(fd_, req.data(), req.size(), MSG_NOSIGNAL) == ssize_t(req.size());
  }
  // The response's status, or 0 when it did not come whole; `in` is all of it.
  int receive() {
    std::string in;
    return receive(in);
  }
  int receive(std::string& in) {
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

// The counter, read on a keep-alive connection of its own: always the same I/O thread, so that
// what a scrape costs is the same each time (a first scrape on a thread costs more).
std::uint64_t allocations(KeepAlive& scraper) {
  std::string in;
  if (!scraper.send_raw("GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n") ||
      scraper.receive(in) != 200)
    throw std::runtime_error("no /metrics: " + in);
  std::smatch match;
  const std::regex line("\nfleetgate_worker_heap_allocations_total (\\d+)\n");
  if (!std::regex_search(in, match, line)) throw std::runtime_error("no counter: " + in);
  return std::stoull(match[1]);
}

// `rounds` requests on each connection at once: all sent, then all answered, so that the
// server's coroutines and operations interleave as under load.
void load(std::vector<std::unique_ptr<KeepAlive>>& conns, const std::string& body, int rounds) {
  for (int r = 0; r < rounds; ++r) {
    for (auto& k : conns) ASSERT_TRUE(k->send(body));
    for (auto& k : conns) ASSERT_EQ(k->receive(), 200);
  }
}

// Allocations on the server's I/O threads over `rounds` on `n` open connections after as many
// to warm up, less what reading the counter itself costs.
std::uint64_t steady_allocations(std::uint16_t port, const std::string& body, int n, int rounds) {
  KeepAlive scraper(port);
  std::vector<std::unique_ptr<KeepAlive>> conns;
  for (int i = 0; i < n; ++i) conns.push_back(std::make_unique<KeepAlive>(port));
  load(conns, body, rounds);
  allocations(scraper);  // the first scrape on its thread costs more than the next
  const auto a = allocations(scraper);
  const auto b = allocations(scraper);
  load(conns, body, rounds);
  const auto c = allocations(scraper);
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
  KeepAlive scraper(gw.port);
  ASSERT_GT(allocations(scraper), 0u);
  EXPECT_LE(steady_allocations(gw.port, json, 1, 500), 2u) << "JSON: allocations in 500 requests";
  EXPECT_LE(steady_allocations(gw.port, sse, 1, 300), 2u) << "SSE: allocations in 300 streams";
  EXPECT_LE(steady_allocations(gw.port, json, 32, 20), 2u) << "JSON: 32 connections at once";
  EXPECT_LE(steady_allocations(gw.port, sse, 32, 20), 2u) << "SSE: 32 connections at once";
}

}  // namespace fleetgate::test
