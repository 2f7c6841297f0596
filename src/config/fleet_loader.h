// Reads the `fleet:` section of config.yaml into FleetSettings (problems as file:line issues).
#pragma once

#include "config/fleet_settings.h"
#include "config/yaml_reader.h"

namespace fleetgate {

void load_fleet_section(YamlReader& r, const YAML::Node& node, FleetSettings& out);
void load_agent_section(YamlReader& r, const YAML::Node& node, AgentSettings& out);

}  // namespace fleetgate
