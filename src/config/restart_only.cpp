#include "config/restart_only.h"

namespace fleetgate {

namespace {

// The fleet section without what a reload applies at once (tokens) or what is only
// bookkeeping (the lines things were declared on).
FleetSettings comparable(FleetSettings f) {
  f.token.reset();
  for (auto& n : f.nodes) {
    n.token.reset();
    n.line = 0;
  }
  for (auto& c : f.checks) c.line = 0;
  for (auto& r : f.alerts.receivers) r.line = 0;
  return f;
}

}  // namespace

std::vector<std::string> restart_only_changes(const Config& running, const Config& next) {
  const GatewaySettings& a = running.gateway;
  const GatewaySettings& b = next.gateway;
  std::vector<std::string> out;
  auto differs = [&out](bool changed, const char* key) {
    if (changed) out.emplace_back(key);
  };
  differs(a.listen != b.listen, "fleetgate.listen");
  differs(a.threads != b.threads, "fleetgate.threads");
  differs(a.access_log != b.access_log, "fleetgate.access_log");
  differs(a.max_request_body != b.max_request_body, "fleetgate.max_request_body");
  differs(a.max_connections != b.max_connections, "fleetgate.max_connections");
  differs(a.max_connections_per_peer != b.max_connections_per_peer,
          "fleetgate.max_connections_per_peer");
  differs(a.timeouts.client_header != b.timeouts.client_header, "fleetgate.timeouts.client_header");
  differs(a.timeouts.client_body != b.timeouts.client_body, "fleetgate.timeouts.client_body");
  differs(a.timeouts.keepalive != b.timeouts.keepalive, "fleetgate.timeouts.keepalive");
  differs(a.timeouts.drain != b.timeouts.drain, "fleetgate.timeouts.drain");
  differs(comparable(running.fleet) != comparable(next.fleet), "fleet");
  return out;
}

void keep_restart_only(const Config& running, Config& next) {
  const GatewaySettings& a = running.gateway;
  GatewaySettings& b = next.gateway;
  b.listen = a.listen;
  b.threads = a.threads;
  b.access_log = a.access_log;
  b.max_request_body = a.max_request_body;
  b.max_connections = a.max_connections;
  b.max_connections_per_peer = a.max_connections_per_peer;
  b.timeouts.client_header = a.timeouts.client_header;
  b.timeouts.client_body = a.timeouts.client_body;
  b.timeouts.keepalive = a.timeouts.keepalive;
  b.timeouts.drain = a.timeouts.drain;
}

}  // namespace fleetgate
