// The front ends by dialect: which one takes a request, by its dialect and path.
#pragma once

#include "frontends/front_call.h"

#include <memory>

namespace fleetgate {

// The request translated by `dialect`'s front end (its path picks the endpoint), or the error
// to answer in that dialect.
Result<std::unique_ptr<FrontCall>> make_front_call(Dialect dialect, const FrontInput& in);

}  // namespace fleetgate
