#include "core/text_forms.h"

#include "core/json_escape.h"

#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace fleetgate {

bool contains(std::string_view hay, std::string_view needle) {
  const std::size_t n = needle.size();
  if (n < 3 || hay.size() < n + 16)
    return ::memmem(hay.data(), hay.size(), needle.data(), n) != nullptr;
#if defined(__SSE2__)
  const char* h = hay.data();
  const __m128i second = _mm_set1_epi8(needle[1]);
  const __m128i last = _mm_set1_epi8(needle[n - 1]);
  const std::size_t end = hay.size() - n + 1;  // candidate starts are [0, end)
  std::size_t i = 0;
  for (; i + 16 <= end; i += 16) {
    const __m128i a = _mm_loadu_si128(reinterpret_cast<const __m128i*>(h + i + 1));
    const __m128i b = _mm_loadu_si128(reinterpret_cast<const __m128i*>(h + i + n - 1));
    auto mask = static_cast<unsigned>(
        _mm_movemask_epi8(_mm_and_si128(_mm_cmpeq_epi8(a, second), _mm_cmpeq_epi8(b, last))));
    while (mask != 0) {
      const auto at = i + static_cast<std::size_t>(__builtin_ctz(mask));
      // Byte by byte, not memcmp: a call in the loop would make the vectors spill to memory.
      std::size_t k = 0;
      while (k < n && (k == 1 || h[at + k] == needle[k])) ++k;
      if (k == n) return true;
      mask &= mask - 1;
    }
  }
  // The last starts, fewer than 16.
  return i < end && ::memmem(h + i, hay.size() - i, needle.data(), n) != nullptr;
#else
  return ::memmem(hay.data(), hay.size(), needle.data(), n) != nullptr;
#endif
}

std::string printable(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      if (c == '\n' || c == '\r' || c == '\t')
        out += ' ';
      else if (c < 0x20 || c == 0x7F)
        out += '?';
      else
        out += static_cast<char>(c);
      ++i;
      continue;
    }
    const std::size_t n = utf8_sequence(s, i);
    if (n == 0) {
      out += "\xEF\xBF\xBD";  // U+FFFD
      ++i;
    } else if (n == 2 && c == 0xC2 && static_cast<unsigned char>(s[i + 1]) < 0xA0) {
      out += '?';  // U+0080..U+009F: C1 controls, CSI among them
      i += n;
    } else {
      out.append(s.substr(i, n));
      i += n;
    }
  }
  return out;
}

std::string markdown_text(std::string_view s) {
  const std::string clean = printable(s);
  std::string out;
  out.reserve(clean.size());
  for (char c : clean) {
    switch (c) {
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '&': out += "&amp;"; break;
      case '|':
      case '*':
      case '_':
      case '`':
      case '[':
      case ']':
      case '\\':
        out += '\\';
        out += c;
        break;
      default: out += c;
    }
  }
  return out;
}

}  // namespace fleetgate
