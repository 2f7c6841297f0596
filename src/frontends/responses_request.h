// The request half of the Responses front end (internal to src/frontends/): a Responses body,
// parsed, as a chat completions body, with what the response object repeats of it and the
// conversation to keep; what cannot be forwarded is added to `dropped`.
#pragma once

#include "frontends/front_call.h"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace fleetgate {

// A request field the response repeats, as JSON text.
struct Echoed {
  std::string_view key;  // one of the response object's own keys
  std::string json;
};

struct ResponsesRequest {
  std::string internal;      // the chat completions body
  std::vector<Echoed> echo;  // request fields the response repeats
  // The conversation without the instructions (previous + input): chat messages as JSON text,
  // comma-separated, without the brackets of their list.
  std::string history;
  bool store = true;
};

Result<ResponsesRequest> responses_to_chat(const boost::json::object& in, std::string_view model,
                                           bool stream, const PreviousLookup* previous,
                                           std::string& dropped);

}  // namespace fleetgate
