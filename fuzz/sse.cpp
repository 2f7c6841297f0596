// The SSE decoder, fed in pieces: the same events whatever the split.
#include "openai/sse.h"
#include "fuzz_input.h"

#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace fleetgate;
  const fuzz::Input in(data, size);
  auto run = [&](const std::vector<std::string_view>& parts) {
    SseDecoder d;
    std::vector<std::string> events;
    for (auto p : parts)
      d.feed(p, [&](const SseEvent& e) {
        events.push_back(std::string(e.event) + '\0' + std::string(e.data));
      });
    return events;
  };
  fuzz::require(run({in.bytes}) == run(fuzz::pieces(in.bytes, in.choice)));
  return 0;
}
