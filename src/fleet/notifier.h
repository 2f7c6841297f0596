// Delivers one rendered notification to one receiver: an HTTP(S) POST for webhooks, or a
// command run with the payload on stdin for exec receivers. Blocking, with the receiver's
// timeout; runs on the fleet service's notifier thread, never on an I/O thread.
#pragma once

#include "config/fleet_settings.h"
#include "core/error.h"

#include <string>

namespace fleetgate {

// Success: a 2xx answer, or exit status 0. The error says what went wrong, for the log.
Result<void> deliver(const ReceiverSpec& receiver, const std::string& payload);

}  // namespace fleetgate
