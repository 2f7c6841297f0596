// The NDJSON splitter, fed in pieces: the same lines whatever the split.
#include "openai/ndjson.h"
#include "fuzz_input.h"

#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace fleetgate;
  const fuzz::Input in(data, size);
  auto run = [&](const std::vector<std::string_view>& parts) {
    NdjsonDecoder d;
    std::vector<std::string> lines;
    for (auto p : parts) d.feed(p, [&](std::string_view l) { lines.emplace_back(l); });
    d.finish([&](std::string_view l) { lines.emplace_back(l); });
    return lines;
  };
  fuzz::require(run({in.bytes}) == run(fuzz::pieces(in.bytes, in.choice)));
  return 0;
}
