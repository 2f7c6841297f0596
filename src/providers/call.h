// One attempt's working state, shared by the gateway's relay and the provider adapters: the
// client's request, the deployment, the exchange with its backend, and the attempt's times.
#pragma once

#include "config/config.h"
#include "core/clock.h"
#include "openai/api_kind.h"
#include "openai/request_scan.h"
#include "openai/translation.h"
#include "providers/client_watch.h"
#include "routing/route_table.h"
#include "server/access_log.h"
#include "server/client_connection.h"
#include "server/request.h"
#include "upstream/upstream_exchange.h"

#include <array>
#include <atomic>
#include <chrono>
#include <string>

namespace fleetgate {

class ProviderAdapter;
class FrontCall;

struct Call {
  ClientConnection& conn;
  Request& req;
  ApiKind kind;
  DeploymentIndex index;
  const Deployment& deployment;
  const ProviderAdapter& provider;
  const RequestFields& fields;
  AccessRecord& log;
  UpstreamExchange exchange;
  std::string_view fixed_headers;  // Host and the key's header lines (GatewayState)
  std::string_view model_json;     // the upstream model as a JSON string (GatewayState)
  Clock::Steady::time_point deadline;
  Clock::Steady::time_point started;  // this attempt's start, for its time to first byte
  const Clock& clock;
  Duration first_byte{};
  Duration stream_gap{};
  const ClientWatchScope* watching = nullptr;  // streams: the client is watched from the start
  std::array<asio::const_buffer, 6> parts{};   // the request as it goes out (gather write)
  std::size_t part_count = 0;
  // A wildcard deployment's model for this request (and as a JSON string); empty for the others.
  std::string upstream_model{};
  std::string upstream_json{};
  std::string translated_body{};  // the request in the backend's dialect, while it goes out
  // A client dialect other than OpenAI's chat completions (src/frontends/): its answers are
  // translated back, unless the deployment speaks it (`native`: the client's body goes out).
  FrontCall* front = nullptr;
  bool native = false;
  std::string front_out{};                             // a translated stream's piece for the client
  std::string_view stream_type = "text/event-stream";  // a relayed stream's content type
  // A stream the client did not ask usage for: the backend is asked for it (the tokens count
  // for tpm, metrics and the report) and the client's stream goes without it.
  bool usage_injected = false;
  std::atomic<bool>* refuses_usage = nullptr;  // the deployment's GatewayState flag
  // An upload still arriving: its rest goes to the backend as it comes (after call.parts).
  BodySource* rest = nullptr;

  const std::string& model() const {
    return upstream_model.empty() ? deployment.upstream_model : upstream_model;
  }
  // How a translated (Ollama, Anthropic) response describes itself to the OpenAI client.
  ResponseMeta response_meta() const;
  // The request as a head for `path` and translated_body.
  void set_translated_request(const std::string& path);
};

}  // namespace fleetgate
