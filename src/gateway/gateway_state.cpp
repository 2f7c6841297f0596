#include "gateway/gateway_state.h"

#include "frontends/ollama_front.h"
#include "gateway/response_keeper.h"

#include "core/json_escape.h"
#include "providers/provider.h"

#include <algorithm>
#include <chrono>
#include <map>

namespace fleetgate {

GatewayState::GatewayState(Config c, AgentChannel* agent_channel, const Clock& time,
                           std::shared_ptr<ResponseKeeper> kept)
    : config(std::move(c)),
      routes(config),
      metrics(std::make_unique<GatewayMetrics>(config.gateway.threads, config.deployments.size())) {
  agents = agent_channel;
  responses = kept ? std::move(kept) : std::make_shared<ResponseKeeper>(nullptr);
  clock = &time;
  guard = GuardSettings{config.gateway.listen.host, config.gateway.allowed_hosts};
  created =
      std::chrono::duration_cast<std::chrono::seconds>(time.wall().time_since_epoch()).count();
  std::map<std::tuple<bool, std::string, std::uint16_t>, BackendId> ids;
  for (const auto& d : config.deployments) {
    const auto key = std::make_tuple(d.api_base.tls, d.api_base.host, d.api_base.port);
    auto [it, inserted] = ids.try_emplace(key, static_cast<BackendId>(backends.size()));
    if (inserted) backends.push_back(d.api_base);
    backend_of.push_back(it->second);
    labels.push_back(d.id + " (" + d.api_base.authority() + ")");
    model_json.push_back(json_string(d.upstream_model));
    std::string headers = "Host: " + d.api_base.authority() + "\r\n";
    if (d.provider == Provider::Anthropic) {
      if (d.api_key) headers += "x-api-key: " + *d.api_key + "\r\n";
      headers += "anthropic-version: 2023-06-01\r\n";
    } else if (d.api_key) {
      headers += "Authorization: Bearer " + *d.api_key + "\r\n";
    }
    fixed_headers.push_back(std::move(headers));
    served_by.push_back("x-fleetgate-deployment: " + d.id + "\r\n");
    provider.push_back(&adapter_for(d.provider));
    whole_timeout.push_back(
        d.timeout.value_or(config.router.timeout.value_or(config.gateway.timeouts.request)));
  }
  CooldownPolicy policy;
  policy.allowed_fails = config.router.allowed_fails;
  policy.cooldown = config.router.cooldown_time;
  health = std::make_shared<HealthBoard>(config.deployments.size(), policy);
  refuses_usage_option = std::make_unique<std::atomic<bool>[]>(config.deployments.size());
  models_body = "{\"object\":\"list\",\"data\":[";
  bool first = true;
  std::vector<std::string> names = routes.model_names();
  const AutoRouter& a = config.gateway.auto_router;
  if (!a.model_name.empty()) {
    names.push_back(a.model_name);
    for (std::size_t t = 0; t < a.tiers.size(); ++t) {
      std::vector<std::string> next(a.tiers.begin() + static_cast<std::ptrdiff_t>(t) + 1,
                                    a.tiers.end());
      for (std::size_t below = t; below-- > 0;) next.push_back(a.tiers[below]);
      auto_fallthrough.push_back(std::move(next));
    }
  }
  for (const auto& name : names) {
    if (!first) models_body += ',';
    first = false;
    models_body += "{\"id\":";
    append_json_string(models_body, name);
    models_body += ",\"object\":\"model\",\"created\":" + std::to_string(created) +
                   ",\"owned_by\":\"fleetgate\"}";
  }
  models_body += "]}";
  ollama_tags = ollama_model_list(names, created, false);
  ollama_ps = ollama_model_list(names, created, true);
}

}  // namespace fleetgate
