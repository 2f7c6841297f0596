// Blocks until SIGINT/SIGTERM, then drains `server` within `drain` and stops it.
#pragma once

#include "core/units.h"
#include "server/http_server.h"

namespace fleetgate {

void serve_until_signalled(HttpServer& server, Duration drain);

}  // namespace fleetgate
