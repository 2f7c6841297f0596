// A loopback HTTP receiver for alert notifications: records each POST body with the time it
// arrived and answers 200. Can be started on a port reserved earlier, to play a receiver that
// was down at first.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace fleetgate::test {

// A loopback port kept free for this test: nothing listens on it until someone binds it, and
// no other test is given it.
std::uint16_t reserve_port();

class WebhookReceiver {
 public:
  struct Hit {
    std::string target;
    std::string body;
    int status = 200;  // what it answered
    std::chrono::steady_clock::time_point at;
  };

  // `refuse`, when given, picks the bodies answered 400 (a strict receiver).
  explicit WebhookReceiver(std::uint16_t port = 0,
                           std::function<bool(const std::string&)> refuse = {});
  ~WebhookReceiver();
  WebhookReceiver(const WebhookReceiver&) = delete;
  WebhookReceiver& operator=(const WebhookReceiver&) = delete;

  std::uint16_t port() const { return port_; }
  // Waits until at least `n` notifications arrived (or `timeout`); returns all so far.
  std::vector<Hit> wait_for(std::size_t n, std::chrono::milliseconds timeout);
  std::vector<Hit> hits();

 private:
  void serve();

  std::function<bool(const std::string&)> refuse_;
  int listen_fd_ = -1;
  std::uint16_t port_ = 0;
  bool stopping_ = false;
  std::mutex mutex_;
  std::condition_variable cv_;
  std::vector<Hit> hits_;
  std::thread thread_;
};

}  // namespace fleetgate::test
