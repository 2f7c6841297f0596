// `fleetgate serve` inside the test process: a ServeDaemon on 127.0.0.1, an ephemeral port and
// one I/O thread, from YAML text, with its store in a directory of the test's own.
#pragma once

#include "app/daemon.h"

#include <cstdint>
#include <memory>
#include <string>

namespace fleetgate::test {

struct InProcessGateway {
  std::unique_ptr<ServeDaemon> daemon;
  std::uint16_t port = 0;
};

// Throws when the config does not load or the daemon does not start.
InProcessGateway start_in_process(const std::string& yaml);

}  // namespace fleetgate::test
