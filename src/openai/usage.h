// Token usage as backends report it, found by scanning rather than parsing the response.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace fleetgate {

struct Usage {
  std::uint64_t prompt_tokens = 0;
  std::uint64_t completion_tokens = 0;
};

// Finds the last `"usage": {...}` object in an OpenAI-style response or chunk.
std::optional<Usage> scan_usage(std::string_view json);

}  // namespace fleetgate
