// Starts one supervised command: its own process group, stdin from /dev/null, stdout and
// stderr into `out_fd`, signals back to their defaults, and PR_SET_PDEATHSIG so that it is
// killed if the agent itself dies without stopping it (kill -9, OOM killer). fork + exec rather
// than posix_spawn, which cannot set the parent-death signal; only async-signal-safe calls run
// between the two, and an exec failure comes back through a close-on-exec pipe.
#pragma once

#include "core/error.h"

#include <string>
#include <utility>
#include <vector>

#include <sys/types.h>

namespace fleetgate {

struct SpawnRequest {
  std::vector<std::string> argv;  // argv[0] is looked up on PATH when it has no '/'
  std::vector<std::pair<std::string, std::string>> env;  // over child_environment()'s base
  std::string cwd;                                       // empty: the agent's
  int out_fd = -1;                                       // stdout and stderr
};

// The child's pid (also its process group id), or why it could not start.
Result<pid_t> spawn_in_group(const SpawnRequest& r);

}  // namespace fleetgate
