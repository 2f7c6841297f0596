// Starting `fleetgate serve` for integration tests, and writing its config.
#pragma once

#include "support/child_process.h"

#include <cstdint>
#include <memory>
#include <string>

namespace fleetgate::test {

struct Gateway {
  std::unique_ptr<ChildProcess> process;
  std::uint16_t port = 0;
};

// Writes `config_text` to a fresh temporary file and returns its path.
std::string write_config(const std::string& text);

// `fleetgate serve` on 127.0.0.1:0 with two threads; throws when it does not start.
Gateway start_gateway(const std::string& config_text);
// The same, with a config file the test keeps (to rewrite it and reload). The store is
// `data_path`, by default the config's path + ".db".
Gateway start_gateway_from(const std::string& config_path, const std::string& data_path = "");

// One model_list entry for a sim on `port` (OpenAI-style /v1 base unless the model is Ollama's).
std::string deployment(const std::string& name, const std::string& model, std::uint16_t port,
                       const std::string& extra = "");

}  // namespace fleetgate::test
