// Request bodies' buffers on one worker: a body buffer holds what was received (never what a
// client only announced), a connection keeps at most kSmall between requests, and the few
// larger buffers go back to a bounded pool for the next large body. Thread affinity: the
// worker's.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace fleetgate {

class BodyPool {
 public:
  static constexpr std::size_t kSmall = 64 * 1024;          // a connection keeps this much
  static constexpr std::size_t kKept = 4;                   // large buffers pooled per worker
  static constexpr std::size_t kMaxKept = 4 * 1024 * 1024;  // larger ones are freed

  // Before a body of `expected` bytes (the Content-Length, if any) is read into `body`, which
  // may already hold its first bytes (the parser reads them with the head): they are kept.
  void lend(std::string& body, std::uint64_t expected) {
    if (expected > kSmall && !pooled_.empty() && body.capacity() <= kSmall) {
      std::string& pooled = pooled_.back();
      pooled.assign(body);
      body.swap(pooled);
      pooled_.pop_back();
      return;
    }
    body.reserve(static_cast<std::size_t>(std::min<std::uint64_t>(expected, kSmall)));
  }

  // After the request: a buffer that grew past kSmall leaves the connection.
  void give_back(std::string& body) {
    body.clear();
    if (body.capacity() <= kSmall) return;
    if (body.capacity() <= kMaxKept && pooled_.size() < kKept) pooled_.push_back(std::move(body));
    std::string().swap(body);
  }

  std::size_t pooled() const { return pooled_.size(); }

 private:
  std::vector<std::string> pooled_;
};

}  // namespace fleetgate
