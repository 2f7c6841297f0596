// The model name a deployment is asked for: litellm_params.model as written, or, for a
// wildcard deployment, filled from the requested name as LiteLLM does. Pure.
#pragma once

#include "config/config.h"

#include <string>
#include <string_view>

namespace fleetgate {

// Whether a deployment of a bare "*" model takes `requested` (its provider is the one LiteLLM
// would infer from the name); always true for other deployments.
bool takes_request(const Deployment& d, std::string_view requested);

// What to send as "model" for `requested` (the name that was routed to `d`).
std::string upstream_model_for(const Deployment& d, std::string_view requested);

}  // namespace fleetgate
