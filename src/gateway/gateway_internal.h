// What the gateway's own files share: what an attempt came to. Internal to src/gateway/.
#pragma once

#include "gateway/gateway.h"
#include "providers/call.h"
#include "providers/client_watch.h"

#include <array>
#include <chrono>
#include <memory>

namespace fleetgate {

// What one attempt came to. Not committed: nothing reached the client, so proxy() may try
// elsewhere, and otherwise answers with `error` (ours) or the backend's status and body.
struct Gateway::Failure {
  std::optional<Error> error;  // ours (connect, deadline, protocol), or else
  int status = 0;              // the backend's own answer, passed through
  std::string body;
  std::string content_type;
  bool native = false;  // in the client's dialect already (a native deployment's answer)
};

struct Gateway::Attempt {
  bool committed = false;
  bool retryable = false;
  bool context_window = false;
  bool resend = false;            // the same deployment again at once (without stream_options)
  std::optional<Outcome> health;  // what it says about the deployment
  std::optional<Duration> retry_after;
  std::unique_ptr<Failure> failure;  // on the heap: failures are rare, coroutine frames small

  static Attempt success() {
    Attempt a;
    a.committed = true;
    a.health = Outcome::Success;
    return a;
  }
  static Attempt streamed(bool finished) {
    Attempt a;
    a.committed = true;
    a.health = finished ? Outcome::Success : Outcome::Failure;
    return a;
  }
  static Attempt failed(Error e) {
    Attempt a;
    a.failure = std::make_unique<Failure>();
    a.failure->error = std::move(e);
    return a;
  }
};

}  // namespace fleetgate
