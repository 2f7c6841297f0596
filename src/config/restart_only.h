// Settings a running `fleetgate serve` cannot change: a reload keeps the running values and
// names the ones the new file changes, so nobody believes an edit took effect when it did not.
#pragma once

#include "config/config.h"

#include <string>
#include <vector>

namespace fleetgate {

// The config keys whose value differs between the running config and the next one and that
// only a restart applies: fleetgate.listen, threads, access_log, max_request_body,
// max_connections, max_connections_per_peer, timeouts.client_header, client_body, keepalive,
// drain, and the fleet section (its tokens apply at once and are not named).
std::vector<std::string> restart_only_changes(const Config& running, const Config& next);

// Puts the running values of those keys into `next` (the fleet section is kept by the caller).
void keep_restart_only(const Config& running, Config& next);

}  // namespace fleetgate
