// `fleetgate agent`: the config, the node's name and token, then the AgentDaemon.
#include "app/agent_daemon.h"
#include "app/commands.h"
#include "config/loader.h"
#include "core/text_forms.h"

#include <spdlog/spdlog.h>

#include <malloc.h>
#include <unistd.h>

namespace fleetgate {

int run_agent(const AgentOptions& options) {
  // A handful of threads that allocate little: two malloc arenas are plenty (RSS).
  mallopt(M_ARENA_MAX, 2);
  auto loaded = load_config_file(options.config_path);
  if (!loaded) {
    for (const auto& issue : loaded.error()) spdlog::error("{}", issue.str());
    return kExitBadConfig;
  }
  AgentSettings a = loaded->agent;
  if (a.node.empty()) {
    char host[256] = {};
    ::gethostname(host, sizeof host - 1);
    a.node = host;
    if (!is_node_name(a.node)) {
      spdlog::error("agent.node: the host name '{}' is not a usable node name; set agent.node",
                    a.node);
      return kExitBadConfig;
    }
  }
  if (!a.token) a.token = loaded->fleet.token ? loaded->fleet.token : loaded->master_key;
  std::string problem;
  const auto server = parse_url(a.server, problem);
  if (!server) {
    spdlog::error("agent.server {}: {}", a.server, problem);
    return kExitBadConfig;
  }

  AgentDaemon(std::move(a), *server).run_until_signalled();
  return kExitOk;
}

}  // namespace fleetgate
