// `fleetgate status`: the server's GET /fleet/v1/status as a terminal table (nodes, backends,
// checks, processes, then open alerts), coloured when the output is a terminal.
#pragma once

#include "core/error.h"
#include "core/wall_time.h"

#include <string>
#include <string_view>

namespace fleetgate {

Result<std::string> render_status(std::string_view status_json, bool color);

}  // namespace fleetgate
