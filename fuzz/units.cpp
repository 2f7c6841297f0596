// Durations, sizes, RFC 3339 times and YAML 1.1 numbers from config files and APIs.
#include "core/units.h"
#include "config/yaml11.h"
#include "core/wall_time.h"
#include "fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace fleetgate;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  if (auto d = parse_duration(text)) fuzz::require(d->count() >= 0);
  (void)parse_size(text);
  if (auto t = parse_rfc3339(text)) {
    // What it accepts it can write back, and the two agree.
    auto again = parse_rfc3339(rfc3339(*t));
    fuzz::require(again && std::chrono::floor<std::chrono::milliseconds>(*again) ==
                               std::chrono::floor<std::chrono::milliseconds>(*t));
  }
  (void)yaml11_int(text);
  (void)yaml11_float(text);
  (void)yaml11_bool(text);
  return 0;
}
