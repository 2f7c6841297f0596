// Shared by the fuzz targets: one input, read as a few parameters and the bytes under test.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace fleetgate::fuzz {

// The input with its first byte taken as a choice (0..255) when there is one.
struct Input {
  std::uint8_t choice = 0;
  std::string_view bytes;
  Input(const std::uint8_t* data, std::size_t size) {
    if (size > 0) {
      choice = data[0];
      bytes = std::string_view(reinterpret_cast<const char*>(data) + 1, size - 1);
    }
  }
};

// `bytes` cut into pieces as a network would deliver them: the cut points come from the bytes
// themselves, so the fuzzer explores splits, including empty and one-byte pieces.
inline std::vector<std::string_view> pieces(std::string_view bytes, std::uint8_t seed) {
  std::vector<std::string_view> out;
  std::size_t at = 0;
  std::uint32_t state = seed * 2654435761u + 1;
  while (at < bytes.size()) {
    state = state * 1103515245u + 12345u;
    const std::size_t len = 1 + (state >> 16) % std::max<std::size_t>(1, seed % 16 + 1);
    out.push_back(bytes.substr(at, std::min(len, bytes.size() - at)));
    at += len;
  }
  return out;
}

// Fails the run (the fuzzer saves the input) when an invariant does not hold.
inline void require(bool ok) {
  if (!ok) __builtin_trap();
}

}  // namespace fleetgate::fuzz
