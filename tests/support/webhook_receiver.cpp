#include "support/webhook_receiver.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <mutex>
#include <stdexcept>
#include <vector>

namespace fleetgate::test {

namespace {

int bind_loopback(std::uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    ::close(fd);
    throw std::runtime_error(std::string("bind: ") + std::strerror(errno));
  }
  return fd;
}

std::uint16_t port_of(int fd) {
  sockaddr_in a{};
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  return ntohs(a.sin_port);
}

}  // namespace

std::uint16_t reserve_port() {
  // The socket stays bound (not listening) for the test process's life: connections to the
  // port are refused until someone listens there, and the kernel hands the port to no other
  // test's ephemeral bind meanwhile (which cross-talked before). Whoever takes it binds with
  // SO_REUSEADDR, as the receiver and fleetgate do.
  static std::mutex mutex;
  static std::vector<int> held;
  const int fd = bind_loopback(0);
  std::lock_guard lock(mutex);
  held.push_back(fd);
  return port_of(fd);
}

WebhookReceiver::WebhookReceiver(std::uint16_t port, std::function<bool(const std::string&)> refuse)
    : refuse_(std::move(refuse)) {
  listen_fd_ = bind_loopback(port);
  ::listen(listen_fd_, 16);
  port_ = port_of(listen_fd_);
  thread_ = std::thread([this] { serve(); });
}

WebhookReceiver::~WebhookReceiver() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  thread_.join();
  ::close(listen_fd_);
}

void WebhookReceiver::serve() {
  for (;;) {
    {
      std::lock_guard lock(mutex_);
      if (stopping_) return;
    }
    pollfd p{listen_fd_, POLLIN, 0};
    if (::poll(&p, 1, 50) <= 0) continue;
    const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    timeval tv{5, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    std::string data;
    char buf[8192];
    std::size_t need = std::string::npos;
    for (;;) {
      const auto end = data.find("\r\n\r\n");
      if (end != std::string::npos && need == std::string::npos) {
        std::size_t length = 0;
        const auto cl = data.find("Content-Length: ");
        if (cl != std::string::npos && cl < end) length = std::stoul(data.substr(cl + 16));
        need = end + 4 + length;
      }
      if (need != std::string::npos && data.size() >= need) break;
      const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
      if (n <= 0) break;
      data.append(buf, static_cast<std::size_t>(n));
    }
    const auto head_end = data.find("\r\n\r\n");
    Hit hit;
    hit.at = std::chrono::steady_clock::now();
    const auto sp1 = data.find(' ');
    const auto sp2 = data.find(' ', sp1 + 1);
    if (sp1 != std::string::npos && sp2 != std::string::npos)
      hit.target = data.substr(sp1 + 1, sp2 - sp1 - 1);
    if (head_end != std::string::npos) hit.body = data.substr(head_end + 4);
    hit.status = refuse_ && refuse_(hit.body) ? 400 : 200;
    const std::string reply = hit.status == 200
                                  ? "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n"
                                    "Connection: close\r\n\r\n"
                                  : "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n"
                                    "Connection: close\r\n\r\n";
    ::send(fd, reply.data(), reply.size(), MSG_NOSIGNAL);
    ::close(fd);
    {
      std::lock_guard lock(mutex_);
      hits_.push_back(std::move(hit));
    }
    cv_.notify_all();
  }
}

std::vector<WebhookReceiver::Hit> WebhookReceiver::wait_for(std::size_t n,
                                                            std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  cv_.wait_for(lock, timeout, [&] { return hits_.size() >= n; });
  return hits_;
}

std::vector<WebhookReceiver::Hit> WebhookReceiver::hits() {
  std::lock_guard lock(mutex_);
  return hits_;
}

}  // namespace fleetgate::test
