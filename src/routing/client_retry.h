// litellm_params.max_retries: LiteLLM hands it to the OpenAI client, which tries the same
// deployment again on a connection error, a timeout, 408, 409, 429 or 5xx, waiting 0.5 s,
// doubling up to 8 s, less up to a quarter at random, or the backend's Retry-After when that is
// at most a minute. Pure.
#pragma once

#include "core/units.h"

#include <optional>

namespace fleetgate {

// Whether an answer with `status` (0: none came: connect error or timeout) is worth the same
// deployment again.
inline bool client_retries_status(int status) {
  return status == 0 || status == 408 || status == 409 || status == 429 || status >= 500;
}

// The wait before retry number `done + 1`; `r` is uniform in [0, 1).
Duration client_retry_delay(int done, std::optional<Duration> retry_after, double r);

}  // namespace fleetgate
