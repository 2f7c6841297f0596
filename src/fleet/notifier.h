// Delivers one rendered notification to one receiver: an HTTP(S) POST for webhooks, or a
// command run with the payload on stdin for exec receivers. Blocking, with the receiver's
// timeout; runs on the fleet service's notifier thread, never on an I/O thread.
#pragma once

#include "config/fleet_settings.h"
#include "core/error.h"

#include <memory>
#include <string>

namespace fleetgate {

struct Delivery {
  bool delivered = false;  // a 2xx answer, or exit status 0
  bool refused = false;    // a 4xx answer: the receiver rejects this notification itself
  std::string error;       // what went wrong, for the log
};

// One receiver, however it is reached; new kinds of receivers are new implementations.
class Notifier {
 public:
  virtual ~Notifier() = default;
  virtual Delivery deliver(const std::string& payload) = 0;
};
// A webhook or an exec receiver, as the spec says.
std::unique_ptr<Notifier> make_notifier(const ReceiverSpec& receiver);

// make_notifier(receiver)->deliver(payload).
Delivery deliver(const ReceiverSpec& receiver, const std::string& payload);

// A notification its receiver refused this many times (4xx) is set aside: it stops holding up
// the ones behind it. Failures that may pass (refused connections, 5xx, timeouts) are retried
// with backoff, for as long as it takes.
inline constexpr int kMaxRefusals = 3;

}  // namespace fleetgate
