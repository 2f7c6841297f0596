// Parsing of human-written durations ("250ms", "5s", "2m", 1.5) and sizes ("32MiB", "1MB", 4096).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace fleetgate {

using Duration = std::chrono::milliseconds;

// A bare number is seconds (LiteLLM's convention); suffixes ms, s, m, h, d. nullopt when malformed.
std::optional<Duration> parse_duration(std::string_view text);

// A bare number is bytes; suffixes B, KB, MB, GB (powers of 1000) and KiB, MiB, GiB (powers of
// 1024).
std::optional<std::uint64_t> parse_size(std::string_view text);

std::string format_duration(Duration d);

}  // namespace fleetgate
