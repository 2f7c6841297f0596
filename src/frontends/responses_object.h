// The Responses API's response object and its items as JSON text (the answer half of the
// Responses front end, internal to src/frontends/), and the conversation kept with it. Written
// as they are read: no JSON object is built for them. Pure.
#pragma once

#include "frontends/responses_request.h"
#include "openai/usage.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace fleetgate {

// An output item: a message's text, or a function call.
struct ResponseItem {
  bool call = false;
  std::string id;
  std::string text;
  std::string name;
  std::string call_id;
  std::string arguments;
};

// What the response object says besides its status.
struct ResponseState {
  std::string_view id;
  std::int64_t created = 0;  // Unix seconds
  std::string_view model;
  const std::vector<ResponseItem>& items;
  const std::vector<Echoed>& echo;  // request fields it repeats
  bool store = true;
  const std::optional<Usage>& usage;
};

void append_text_part(std::string& out, std::string_view text);
void append_item(std::string& out, const ResponseItem& i, std::string_view status);
// The whole object; `error` (a message) makes its "error" a server_error.
std::string response_object(const ResponseState& s, std::string_view status,
                            std::string_view error = {});
// The conversation to keep (a JSON list): `history` (ResponsesRequest::history) and the answer
// as an assistant message.
std::string conversation_with_answer(std::string_view history,
                                     const std::vector<ResponseItem>& items);

}  // namespace fleetgate
