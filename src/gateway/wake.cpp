#include "gateway/gateway_internal.h"

#include "control/agent_channel.h"
#include "control/wake_judge.h"
#include "core/json_escape.h"
#include "core/text_forms.h"
#include "openai/anthropic.h"
#include "openai/backend_errors.h"
#include "openai/error_json.h"
#include "openai/ndjson.h"
#include "openai/ollama.h"
#include "openai/request_scan.h"
#include "openai/sse.h"
#include "routing/auto_router.h"
#include "routing/balancer.h"
#include "routing/client_retry.h"
#include "routing/fallback_chain.h"
#include "routing/upstream_model.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/http/verb.hpp>
#include <boost/container/static_vector.hpp>

#include <sys/socket.h>

#include <array>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace fleetgate {

namespace http = boost::beast::http;

bool Gateway::awake(const Deployment& d) const {
  if (!state_->agents) return true;
  const auto p = state_->agents->process(d.on_demand->node, d.on_demand->process);
  return p && p->state == ProcessState::Running;
}

asio::awaitable<std::optional<DeploymentIndex>> Gateway::wake(std::string_view model,
                                                              const Tried& tried, AccessRecord& log,
                                                              bool& failed) {
  const auto* members = state_->routes.candidates(model);
  if (!members) co_return std::nullopt;
  AgentChannel& agents = *state_->agents;
  for (DeploymentIndex i : *members) {
    const Deployment& d = state_->config.deployments[i];
    if (!d.on_demand || awake(d) || std::find(tried.begin(), tried.end(), i) != tried.end())
      continue;
    const auto& od = *d.on_demand;
    const auto asked = clock_.steady();
    const auto seen = agents.process(od.node, od.process);
    if (!seen || seen->state != ProcessState::Starting) {
      if (!agents.connected(od.node, asked)) {
        failed = true;
        log.error = "Model '" + std::string(model) + "' is served on demand by process '" +
                    od.process + "' on node '" + od.node +
                    "', and that node's agent is not connected; it cannot be started now.";
        continue;
      }
      agents.send(od.node,
                  {od.process, ControlAction::Start, "a request for " + std::string(model), false},
                  asked);
    }
    // Ready when a heartbeat after the ask says running; bounded by ready_timeout.
    const WakeJudge judge{asked, asked + std::min(od.ready_timeout, state_->whole_timeout[i])};
    log.route +=
        (log.route.empty() ? "" : "; ") + std::string("woke ") + od.node + "/" + od.process;
    WakeVerdict verdict = WakeVerdict::Wait;
    std::optional<AgentChannel::ProcessView> last;
    while (verdict == WakeVerdict::Wait) {
      co_await sleep(std::chrono::milliseconds(50));
      last = agents.process(od.node, od.process);
      verdict = judge.judge(last, agents.last_heartbeat(od.node).has_value(), clock_.steady());
    }
    if (verdict == WakeVerdict::Ready) {
      state_->health->record(i, Outcome::Success, clock_.coarse());
      failed = false;
      co_return i;
    }
    failed = true;
    log.error = "Model '" + std::string(model) + "' is served on demand by process '" + od.process +
                "' on node '" + od.node + "', which was asked to start but " +
                (verdict == WakeVerdict::Missing
                     ? "that node's agent has no such process (see agent.processes)."
                 : verdict == WakeVerdict::Failed
                     ? "failed (" + std::string(to_string(*last->state)) + ")."
                     : "was not ready within " + format_duration(od.ready_timeout) + ".");
  }
  co_return std::nullopt;
}

std::size_t Gateway::route_auto(const Request& req, AccessRecord& log) {
  const AutoRouter& a = state_->config.gateway.auto_router;
  const RouteDecision d = decide(a, read_traits(req.body));
  log.route = a.tiers[d.tier] + "; reason=" + d.reason;
  return d.tier;
}

}  // namespace fleetgate
