// Cron expressions: parsed, then asked for their next times (bounded to five years).
#include "core/cron.h"
#include "fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace fleetgate;
  const std::string text(reinterpret_cast<const char*>(data), std::min<std::size_t>(size, 256));
  std::string problem;
  auto c = CronSchedule::parse(text, problem);
  if (!c) return 0;
  std::chrono::sys_seconds t{std::chrono::seconds(1'795'000'000)};
  for (int i = 0; i < 3; ++i) {
    auto next = c->next_after(t, TimeZone::utc());
    if (!next) break;
    fuzz::require(*next > t);
    t = *next;
  }
  return 0;
}
