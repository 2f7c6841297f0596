#include "support/fleet.h"

#include <gtest/gtest.h>

#include <fstream>
#include <stdexcept>

#include <stdlib.h>

#include <unistd.h>

namespace fleetgate::test {

namespace {

// A directory of this test process's own: a pid alone repeats across runs on the same machine,
// and a store left behind by an earlier run once showed its nodes in a fresh test's status.
const std::string& private_dir() {
  static const std::string dir = [] {
    std::string pattern = ::testing::TempDir() + "fleetgate-XXXXXX";
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    return pattern + "/";
  }();
  return dir;
}

}  // namespace

std::string write_config(const std::string& text) {
  static int n = 0;
  const std::string path = private_dir() + std::to_string(++n) + ".yaml";
  std::ofstream(path) << text;
  return path;
}

Gateway start_gateway(const std::string& config_text) {
  return start_gateway_from(write_config(config_text));
}

Gateway start_gateway_from(const std::string& config_path, const std::string& data_path) {
  Gateway g;
  g.process = std::make_unique<ChildProcess>(std::vector<std::string>{
      FLEETGATE_BINARY, "serve", "--config", config_path, "--listen", "127.0.0.1:0", "--threads",
      "2", "--data", data_path.empty() ? config_path + ".db" : data_path});
  auto port = g.process->wait_for(R"(fleetgate listening on http://127\.0\.0\.1:(\d+))");
  if (!port) throw std::runtime_error("gateway did not start: " + g.process->output());
  g.port = static_cast<std::uint16_t>(std::stoi(*port));
  return g;
}

std::string deployment(const std::string& name, const std::string& model, std::uint16_t port,
                       const std::string& extra) {
  return "  - model_name: " + name + "\n    litellm_params:\n      model: " + model +
         "\n      api_base: http://127.0.0.1:" + std::to_string(port) +
         (model.starts_with("ollama") ? "" : "/v1") + "\n" + extra;
}

}  // namespace fleetgate::test
