// A node agent's heartbeat, and the figures read from it.
#include "fleet/heartbeat.h"
#include "fuzz_input.h"

#include <cmath>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace fleetgate;
  auto hb = parse_heartbeat(std::string_view(reinterpret_cast<const char*>(data), size));
  if (!hb) return 0;
  for (const auto& r : readings(*hb)) (void)std::isfinite(r.value);
  return 0;
}
