// One pass over a chat completion or one chunk of its stream that keeps only what the front ends
// translate (Boost.JSON's SAX parser: no document is built). Internal to src/frontends/. Pure.
#pragma once

#include "openai/usage.h"

#include <boost/system/error_code.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace fleetgate {

// What the first choice (its message, or a chunk's delta) and the top level say.
struct ChatReading {
  struct Call {
    std::size_t index = 0;  // as the backend numbers it (streams); else the order it came in
    std::string id;
    std::string name;
    std::string arguments;  // the JSON text as the backend wrote it
  };
  bool object = false;   // the document is a JSON object
  bool choices = false;  // it has a "choices" list
  std::string text;      // content: the string, or the text of its parts
  std::vector<Call> calls;
  std::string finish_reason;
  std::string stop_sequence;  // vLLM's stop_reason, when a string
  std::optional<Usage> usage;
  std::optional<std::string> error;  // a top-level "error": its message ("" when it has none)
  // A shape this pass does not take (a second choice, arguments as an object): the caller reads
  // the document again as a DOM.
  bool odd = false;
};

// Reads `json` into `out`; false (with `ec`) when it is not JSON.
bool scan_chat(std::string_view json, ChatReading& out, boost::system::error_code& ec);

}  // namespace fleetgate
