// The subcommands as functions: everything main() does, runnable inside a test process too.
#pragma once

#include "sim/sim_backend.h"

#include <optional>
#include <string>

namespace fleetgate {

// Exit codes shared by the subcommands.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;    // could not start (port taken, ...)
inline constexpr int kExitBadConfig = 2;  // invalid config or arguments

struct ServeOptions {
  std::string config_path;
  std::optional<std::string> listen;         // overrides fleetgate.listen
  std::optional<unsigned> threads;           // overrides fleetgate.threads
  std::string data_path = "./fleetgate.db";  // the store
};
int run_serve(const ServeOptions& options);

// Validates the config, prints warnings and errors, and returns kExitOk or kExitBadConfig.
int run_check(const std::string& config_path);

struct SimCommandOptions {
  SimOptions sim;
  std::string listen = "127.0.0.1:8000";
  unsigned threads = 1;
  bool fail_start = false;  // exit with an error before listening (a backend that will not start)
};
int run_sim(const SimCommandOptions& options);

}  // namespace fleetgate
