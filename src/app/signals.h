// Blocks until SIGINT/SIGTERM, then drains `server` within `drain` and stops it. SIGHUP calls
// `on_hangup` (on this thread) and keeps serving.
#pragma once

#include "core/units.h"
#include "server/http_server.h"

#include <functional>

namespace fleetgate {

void serve_until_signalled(HttpServer& server, Duration drain,
                           std::function<void()> on_hangup = {});

}  // namespace fleetgate
