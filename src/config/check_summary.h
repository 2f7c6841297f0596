// What `fleetgate check` concludes from a loaded file: an exit status and one summary line.
// Pure.
#pragma once

#include "config/loader.h"

#include <string>

namespace fleetgate {

struct CheckSummary {
  int exit_code = 0;  // 0 valid; 1 valid, but model_list leaves nothing to serve; 2 invalid
  std::string line;   // "config.yaml: 0 of 6 deployments can be served: 6 skipped (azure/ ...)"
};

CheckSummary summarize_check(const ConfigResult& result, const std::string& path);

}  // namespace fleetgate
