// Bounds on what a client may send and how long it may take.
#pragma once

#include "core/units.h"

#include <cstdint>

namespace fleetgate {

struct ClientLimits {
  std::uint64_t max_body = 32ull << 20;
  Duration header_timeout = std::chrono::seconds(10);
  Duration body_timeout = std::chrono::seconds(30);  // also bounds a stalled write to the client
  Duration keepalive_timeout = std::chrono::seconds(60);
  std::uint32_t max_connections = 4096;           // open at once, in all
  std::uint32_t max_connections_per_peer = 1024;  // open at once from one address
};

}  // namespace fleetgate
