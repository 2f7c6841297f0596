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

}  // namespace fleetgate::test
