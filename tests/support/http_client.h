// A small blocking HTTP/1.1 client for tests (Beast message types: clarity over speed here).
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <string>

namespace fleetgate::test {

struct HttpResponse {
  int status = 0;                              // 0: the connection failed
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
  std::string error;
};

HttpResponse http_request(std::uint16_t port, const std::string& method, const std::string& target,
                          const std::string& body = {},
                          const std::map<std::string, std::string>& headers = {},
                          std::chrono::milliseconds timeout = std::chrono::seconds(10));

// Sends raw bytes and returns whatever comes back before the peer closes or `timeout` passes.
std::string raw_exchange(std::uint16_t port, const std::string& bytes,
                         std::chrono::milliseconds timeout = std::chrono::seconds(5),
                         bool half_close = false);

// A plain client connection kept open across a test: for connection limits, keep-alive and
// requests sent in pieces.
class RawConnection {
 public:
  explicit RawConnection(std::uint16_t port);
  ~RawConnection();
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;

  bool connected() const { return connected_; }
  bool send(const std::string& bytes);
  // What arrives until `until` is in it, the peer closes, or `timeout` passes.
  std::string read(std::chrono::milliseconds timeout, const std::string& until = "");
  // Whether the peer closed (reads EOF or a reset within `timeout`).
  bool closed_by_peer(std::chrono::milliseconds timeout);

 private:
  int fd_ = -1;
  bool connected_ = false;
};

// A GET with keep-alive, as one request on a RawConnection.
std::string keepalive_get(const std::string& path);

}  // namespace fleetgate::test
