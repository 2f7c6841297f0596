#include "support/in_process.h"

#include "config/loader.h"

#include <gtest/gtest.h>

#include <stdexcept>

#include <stdlib.h>

namespace fleetgate::test {

namespace {

std::string fresh_store() {
  static const std::string dir = [] {
    std::string pattern = ::testing::TempDir() + "fleetgate-inproc-XXXXXX";
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    return pattern + "/";
  }();
  static int n = 0;
  return dir + std::to_string(++n) + ".db";
}

}  // namespace

InProcessGateway start_in_process(const std::string& yaml) {
  auto loaded = load_config_text(yaml, "test.yaml");
  if (!loaded) {
    std::string problems;
    for (const auto& issue : loaded.error()) problems += issue.str() + "\n";
    throw std::runtime_error("config: " + problems);
  }
  Config config = std::move(*loaded);
  config.gateway.listen = Endpoint{"127.0.0.1", 0};
  config.gateway.threads = 1;
  auto daemon = ServeDaemon::open(std::move(config), {"", fresh_store(), {}, {}});
  if (!daemon) throw std::runtime_error(daemon.error().message);
  auto port = (*daemon)->start();
  if (!port) throw std::runtime_error(port.error().message);
  return InProcessGateway{std::move(*daemon), *port};
}

}  // namespace fleetgate::test
