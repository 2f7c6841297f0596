// Loads config.yaml (LiteLLM's proxy format plus a `fleetgate:` section) into a validated Config.
#pragma once

#include "config/config.h"

#include <boost/system/result.hpp>

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace fleetgate {

using ConfigIssues = std::vector<ConfigIssue>;
using ConfigResult = boost::system::result<Config, ConfigIssues>;

// Resolves `os.environ/NAME` values; injectable so tests do not touch the process environment.
using EnvLookup = std::function<std::optional<std::string>(const std::string&)>;
EnvLookup process_env();

// Every problem found is reported, not just the first.
ConfigResult load_config_file(const std::string& path, const EnvLookup& env = process_env());
ConfigResult load_config_text(const std::string& text, const std::string& name,
                              const EnvLookup& env = process_env());

}  // namespace fleetgate

namespace boost::system {
[[noreturn]] void throw_exception_from_error(const fleetgate::ConfigIssues& e,
                                             const boost::source_location& loc);
}  // namespace boost::system
