// A silence as POST /fleet/v1/silences reads it, what the store keeps of it, and its matching
// against labels (RE2: linear, bounded).
#include "fleet/silence_json.h"
#include "fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace fleetgate;
  const fuzz::Input in(data, size);
  const FleetTime now = FleetTime(std::chrono::hours(490'000));
  auto s = parse_silence(in.bytes, "id", now);
  if (!s) {
    (void)parse_matchers(in.bytes);
    return 0;
  }
  // What the store keeps reads back as the same matchers.
  auto again = parse_matchers(matchers_json(s->matchers));
  fuzz::require(again && again->size() == s->matchers.size());
  const Labels labels{{"alertname", "CheckDown"}, {"check", std::string(in.bytes.substr(0, 64))}};
  (void)s->matches(labels);
  return 0;
}
