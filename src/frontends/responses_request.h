// The request half of the Responses front end (internal to src/frontends/): a Responses body,
// parsed, as a chat completions body, with what the response object repeats of it and the
// conversation to keep; what cannot be forwarded is added to `dropped`.
#pragma once

#include "frontends/front_call.h"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include <string>
#include <string_view>

namespace fleetgate {

struct ResponsesRequest {
  std::string internal;        // the chat completions body
  boost::json::object echo;    // request fields the response repeats
  boost::json::array history;  // the conversation without the instructions (previous + input)
  bool store = true;
};

Result<ResponsesRequest> responses_to_chat(const boost::json::object& in, std::string_view model,
                                           bool stream, const PreviousLookup* previous,
                                           std::string& dropped);

}  // namespace fleetgate
