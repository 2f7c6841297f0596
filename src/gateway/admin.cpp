#include "gateway/gateway_internal.h"

#include "control/agent_channel.h"
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
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/http/verb.hpp>
#include <boost/container/static_vector.hpp>

#include <sys/socket.h>

#include <array>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace fleetgate {

namespace http = boost::beast::http;

std::string Gateway::backends_json() const {
  const auto now = clock_.coarse();
  const auto wall = clock_.wall();
  auto wall_of = [&](CoarseClock::time_point t) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               (wall + (t - now)).time_since_epoch())
        .count();
  };
  std::string out = "{\"object\":\"list\",\"data\":[";
  const auto& deployments = state_->config.deployments;
  for (std::size_t i = 0; i < deployments.size(); ++i) {
    const Deployment& d = deployments[i];
    const DeploymentHealthView v = state_->health->view(i, now);
    if (i) out += ',';
    out += "{\"id\":";
    append_json_string(out, d.id);
    out += ",\"model_name\":";
    append_json_string(out, d.model_name);
    out += ",\"api_base\":";
    append_json_string(out, d.api_base.authority() + d.api_base.base_path);
    out += ",\"state\":";
    out += v.state == PassiveHealth::State::Healthy       ? "\"healthy\""
           : v.state == PassiveHealth::State::CoolingDown ? "\"cooling_down\""
                                                          : "\"half_open\"";
    if (v.changed_at != CoarseClock::time_point{})
      out += ",\"since_ms\":" + std::to_string(wall_of(v.changed_at));
    if (v.state == PassiveHealth::State::CoolingDown)
      out += ",\"cooling_until_ms\":" + std::to_string(wall_of(v.cooling_until));
    if (!v.probe.checked) {
      out += ",\"active\":\"unchecked\"";
    } else {
      out += v.probe.up ? ",\"active\":\"up\"" : ",\"active\":\"down\"";
      if (v.probe.since != CoarseClock::time_point{})
        out += ",\"active_since_ms\":" + std::to_string(wall_of(v.probe.since));
      out += ",\"last_probe_ms\":" + std::to_string(wall_of(v.probe.last_probe));
      out += v.probe.last_ok ? ",\"last_probe_ok\":true" : ",\"last_probe_ok\":false";
      out += ",\"last_probe\":";
      append_json_string(out, v.probe.detail);
      out += v.probe.drift ? ",\"drift\":true" : ",\"drift\":false";
      out += ",\"listed\":[";
      for (std::size_t k = 0; k < v.probe.listed.size(); ++k) {
        if (k) out += ',';
        append_json_string(out, v.probe.listed[k]);
      }
      out += ']';
      if (!v.probe.loaded_model.empty()) {
        out += ",\"loaded_model\":";
        append_json_string(out, v.probe.loaded_model);
      }
      if (v.probe.free_slots) out += ",\"free_slots\":" + std::to_string(*v.probe.free_slots);
      if (!v.probe.loaded.empty()) {
        out += ",\"loaded\":[";
        for (std::size_t k = 0; k < v.probe.loaded.size(); ++k) {
          if (k) out += ',';
          append_json_string(out, v.probe.loaded[k]);
        }
        out += ']';
      }
    }
    // What choose() acts on: whether new requests may go there now.
    out += state_->health->available(i, now) ? ",\"routed\":true" : ",\"routed\":false";
    if (v.ttfb_ewma_ms >= 0) out += fmt::format(",\"ttfb_ewma_ms\":{:.1f}", v.ttfb_ewma_ms);
    out += ",\"strikes\":" + std::to_string(v.strikes) +
           ",\"in_flight\":" + std::to_string(v.in_flight) +
           ",\"failures_total\":" + std::to_string(v.failures_total) + "}";
  }
  out += "]}";
  return out;
}

asio::awaitable<void> Gateway::reload(ClientConnection& conn, AccessRecord& log) {
  // Reading and checking the file happens off the I/O threads, on the daemon's reload executor.
  const ReloadHook* hook = worker_.reload;
  Result<std::string> result = co_await asio::co_spawn(
      *worker_.reload_executor,
      [hook]() -> asio::awaitable<Result<std::string>> { co_return (*hook)(); },
      asio::use_awaitable);
  if (!result) {
    log.error = result.error().message;
    co_await conn.send_error(result.error());
    co_return;
  }
  co_await conn.send(200, "application/json",
                     "{\"status\":\"reloaded\",\"summary\":" + json_string(*result) + "}");
}

}  // namespace fleetgate
