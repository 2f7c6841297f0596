// The request half of the Anthropic front end (internal to src/frontends/): a Messages body,
// parsed, as a chat completions body; what cannot be forwarded is added to `dropped`.
#pragma once

#include "core/error.h"

#include <boost/json/object.hpp>

#include <string>

namespace fleetgate {

Result<std::string> anthropic_to_chat(const boost::json::object& in, std::string& dropped);

}  // namespace fleetgate
