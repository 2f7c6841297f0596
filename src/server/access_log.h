// One JSON line per request, formatted on the I/O thread and written by a background thread.
#pragma once

#include "openai/usage.h"

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace spdlog {
class logger;
}

namespace fleetgate {

struct AccessRecord {
  std::string_view request_id;
  std::string_view method;
  std::string_view path;
  std::string model;            // as the client asked (owned: the request's fields die first)
  std::string_view deployment;  // the deployment that served it, if any
  int status = 0;
  std::chrono::steady_clock::time_point start;
  std::optional<std::chrono::steady_clock::time_point> first_byte;
  std::optional<Usage> usage;
  bool stream = false;
  std::string error;  // our error message when the gateway answered for the backend
};

class AccessLog {
 public:
  // `target`: "stdout", "off", or a file path (appended to).
  explicit AccessLog(const std::string& target);
  ~AccessLog();
  void write(const AccessRecord& r);
  void flush();
  bool enabled() const { return logger_ != nullptr; }

 private:
  std::shared_ptr<spdlog::logger> logger_;
};

}  // namespace fleetgate
