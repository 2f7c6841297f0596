// Whether text that fleetgate writes as JSON parses back: a translation must never hand a
// client (or a backend) malformed JSON or invalid UTF-8.
#pragma once

#include "fuzz_input.h"

#include <boost/json/parse.hpp>

#include <string_view>

namespace fleetgate::fuzz {

inline void require_json(std::string_view text) {
  boost::system::error_code ec;
  (void)boost::json::parse(text, ec);  // Boost.JSON refuses invalid UTF-8 in strings
  require(!ec);
}

// Every `data: ...` line of an SSE text is JSON (or [DONE]).
inline void require_sse_json(std::string_view sse) {
  std::size_t at = 0;
  while ((at = sse.find("data: ", at)) != std::string_view::npos) {
    at += 6;
    const auto end = sse.find('\n', at);
    const std::string_view payload = sse.substr(at, end - at);
    if (payload != "[DONE]") require_json(payload);
    at = end == std::string_view::npos ? sse.size() : end;
  }
}

}  // namespace fleetgate::fuzz
