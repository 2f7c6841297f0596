// Numbers from untrusted input (JSON from clients, backends and agents) as integers: a double
// that is not finite or out of range makes a plain static_cast undefined behaviour.
#pragma once

#include <cmath>
#include <limits>
#include <optional>

namespace fleetgate {

// `v` truncated to T, or nullopt when it does not fit.
template <class T>
std::optional<T> to_integer(double v) {
  static_assert(std::numeric_limits<T>::is_integer);
  // 2^digits is exactly representable; every value below it (and at or above -2^digits for
  // signed types) fits.
  constexpr double hi = static_cast<double>(std::numeric_limits<T>::max() / 2 + 1) * 2.0;
  constexpr double lo = std::numeric_limits<T>::is_signed ? -hi : 0.0;
  if (!std::isfinite(v) || v < lo || v >= hi) return std::nullopt;
  return static_cast<T>(v);
}

// The same, clamped to [lo, hi] instead (NaN gives lo): for counts where a bound is enough.
template <class T>
T clamp_to_integer(double v, T lo, T hi) {
  if (std::isnan(v) || v <= static_cast<double>(lo)) return lo;
  if (v >= static_cast<double>(hi)) return hi;
  return static_cast<T>(v);
}

}  // namespace fleetgate
