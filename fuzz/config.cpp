// A whole config file, as `fleetgate check` and a reload read it: never an exception, every
// problem as file:line: key: problem.
#include "config/check_summary.h"
#include "config/loader.h"
#include "fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace fleetgate;
  const std::string text(reinterpret_cast<const char*>(data), size);
  const EnvLookup env = [](const std::string& name) -> std::optional<std::string> {
    if (name == "KEY") return "sk-fuzz";
    return std::nullopt;
  };
  const ConfigResult r = load_config_text(text, "fuzz.yaml", env);
  (void)summarize_check(r, "fuzz.yaml");
  return 0;
}
