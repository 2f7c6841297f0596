// The `auto` model: picks a tier for each request from what the request itself shows (prompt
// size, max_tokens, code, tools, conversation depth, keywords), by the configured rules, and
// says why. Pure: reads the body, looks at no clock and no backend.
#pragma once

#include "config/config.h"

#include <cstddef>
#include <string>
#include <string_view>

namespace fleetgate {

struct RequestTraits {
  std::uint64_t prompt_tokens = 0;  // estimated: characters of message text / 4
  std::uint64_t max_tokens = 0;     // max_tokens or max_completion_tokens; 0 when absent
  bool code = false;                // a fenced code block in the messages
  bool tools = false;               // tools, functions or a json_schema response_format
  std::uint64_t turns = 0;          // messages
  std::string text;                 // the user messages, lower-cased, for keywords
};

// Reads the traits of a chat (or completion) body; a body that is not JSON has none.
RequestTraits read_traits(std::string_view body);

struct RouteDecision {
  std::size_t tier = 0;
  std::string reason;  // the rule that chose it, e.g. "prompt_tokens>2000", or "default"
};

// The highest tier any rule names; ties go to the rule listed first.
RouteDecision decide(const AutoRouter& router, const RequestTraits& traits);

}  // namespace fleetgate
