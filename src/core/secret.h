// Comparing secrets (API keys, tokens, ping keys) in time that does not depend on where they
// differ; only the length can leak.
#pragma once

#include <string_view>

namespace fleetgate {

inline bool secret_equals(std::string_view given, std::string_view expected) {
  if (given.size() != expected.size()) return false;
  volatile unsigned char diff = 0;
  for (std::size_t i = 0; i < given.size(); ++i)
    diff = diff | static_cast<unsigned char>(given[i] ^ expected[i]);
  return diff == 0;
}

// "Bearer <token>" (scheme case-insensitive) against `token`.
inline bool bearer_matches(std::string_view authorization, std::string_view token) {
  constexpr std::string_view kScheme = "bearer ";
  if (authorization.size() < kScheme.size()) return false;
  for (std::size_t i = 0; i < kScheme.size(); ++i)
    if ((authorization[i] | 0x20) != kScheme[i]) return false;
  return secret_equals(authorization.substr(kScheme.size()), token);
}

}  // namespace fleetgate
