// The fleet section's loader, shared by its files (fleet_loader.cpp: nodes, checks, thresholds,
// retention, targets; fleet_loader_alerts.cpp: alerts and receivers). Internal to src/config/.
#pragma once

#include "config/fleet_loader.h"

#include <optional>
#include <string>

namespace fleetgate::fleet_config {

inline constexpr const char* kMetricNames =
    "disk_used_percent, memory_used_percent, cpu_load_per_core, gpu_temperature_c, "
    "gpu_memory_used_percent";

class FleetLoader {
 public:
  FleetLoader(YamlReader& r, FleetSettings& out) : r_(r), f_(out) {}

  void run(const YAML::Node& node);

 private:
  std::optional<std::string> secret(const YAML::Node& v, const std::string& kpath);

  void positive(const YAML::Node& v, const std::string& kpath, Duration& out);

  // "95%" or 0.95.
  std::optional<double> share(const YAML::Node& v, const std::string& kpath);

  void thresholds(const YAML::Node& node, const std::string& base, ThresholdMap& out);

  void nodes(const YAML::Node& list);

  void checks(const YAML::Node& list);

  // checks[].action: {node: <agent's node>, restart: <its process>}
  bool action(const YAML::Node& v, const std::string& kpath, CheckSpecConfig& c);

  void alerts(const YAML::Node& node);

  void receivers(const YAML::Node& list);

  void retention(const YAML::Node& node);

  void targets(const YAML::Node& node);

  YamlReader& r_;
  FleetSettings& f_;
};

}  // namespace fleetgate::fleet_config
