// Deployments and fallbacks as the routing tests write them.
#pragma once

#include "config/config.h"

#include <string>
#include <utility>
#include <vector>

namespace fleetgate::test {

inline Deployment deployment(std::string name, std::string upstream = "m",
                             Provider provider = Provider::OpenAI) {
  Deployment d;
  d.model_name = std::move(name);
  d.upstream_model = std::move(upstream);
  d.provider = provider;
  return d;
}

inline Fallback fallback(std::string from, std::vector<std::string> to) {
  return Fallback{std::move(from), std::move(to), "router_settings.fallbacks[0]", 1};
}

}  // namespace fleetgate::test
