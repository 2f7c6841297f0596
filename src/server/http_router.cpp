#include "server/http_router.h"

#include "core/secret.h"
#include "core/text_forms.h"

#include <boost/beast/core/string.hpp>

#include <spdlog/spdlog.h>

#include <chrono>

namespace fleetgate {

namespace http = boost::beast::http;

bool path_matches(std::string_view pattern, std::string_view path) {
  while (true) {
    if (pattern == "**") return !path.empty();
    const auto star = pattern.find('*');
    if (star == std::string_view::npos) return pattern == path;
    if (path.substr(0, star) != pattern.substr(0, star)) return false;
    pattern.remove_prefix(star);
    path.remove_prefix(star);
    if (pattern == "**") continue;
    // One segment: up to the next '/', not empty.
    const auto end = std::min(path.find('/'), path.size());
    if (end == 0) return false;
    pattern.remove_prefix(1);
    path.remove_prefix(end);
  }
}

bool ping_shaped(std::string_view path) {
  for (std::size_t i = 0; i + 5 <= path.size(); ++i)
    if (boost::beast::iequals(path.substr(i, 5), "ping/")) return true;
  for (std::size_t start = 0; start < path.size();) {
    const auto end = std::min(path.find('/', start), path.size());
    if (end - start >= 36)
      for (std::size_t k = start; k + 36 <= end; ++k)
        if (is_uuid(path.substr(k, 36))) return true;
    start = end + 1;
  }
  return false;
}

namespace {

bool writes(const Request& req) {
  return req.method != http::verb::get && req.method != http::verb::head;
}

std::string method_names(Methods allowed) {
  std::string out;
  for (auto v : {http::verb::get, http::verb::post, http::verb::put, http::verb::patch,
                 http::verb::delete_, http::verb::head}) {
    if (!(allowed & method_bit(v))) continue;
    if (!out.empty()) out += " or ";
    out += http::to_string(v);
  }
  return out;
}

}  // namespace

HttpRouter::HttpRouter(Options options, AccessLog& access_log, asio::any_io_executor executor,
                       std::function<void(const AccessRecord&)> finished)
    : options_(std::move(options)),
      access_log_(access_log, std::move(executor), *options_.clock),
      finished_(std::move(finished)) {}

HttpRouter::Match HttpRouter::find(const Request& req) const {
  const std::string_view path = req.path();
  Match m;
  const Methods bit = method_bit(req.method);
  for (const Route& r : routes_) {
    if (!path_matches(r.pattern, path)) continue;
    if (r.methods & bit) {
      // A catch-all ("/fleet/**", any method) never hides a known path's wrong method.
      if (m.allowed && r.methods == kAnyMethod && r.pattern.ends_with("**")) return m;
      m.route = &r;
      return m;
    }
    m.allowed |= r.methods;
    if (!m.path_route) m.path_route = &r;
  }
  return m;
}

bool HttpRouter::trusting(Realm realm) const {
  if (realm == Realm::Gateway) return !options_.master_key.has_value();
  return !options_.fleet || !options_.fleet->token_set();
}

std::optional<Error> HttpRouter::admit(const Route& r, const Request& req, const Peer& peer) const {
  switch (r.access) {
    case Access::Open: break;
    case Access::MasterKey:
      // Bearer as OpenAI's clients send it, or x-api-key as Anthropic's do.
      if (options_.master_key && !bearer_matches(req.authorization, *options_.master_key) &&
          !(!req.api_key.empty() && secret_equals(req.api_key, *options_.master_key)))
        return Error(Errc::Unauthorized,
                     "Missing or invalid API key. Send 'Authorization: Bearer <key>' or "
                     "'x-api-key: <key>'.");
      break;
    case Access::FleetToken:
    case Access::NodeToken: {
      using Caller = FleetCredentials::Caller;
      const Caller who =
          options_.fleet ? options_.fleet->caller(req.authorization, peer.loopback) : Caller::None;
      if (who == Caller::None)
        return Error(Errc::Unauthorized,
                     trusting(Realm::Fleet)
                         ? "The fleet API is open to loopback clients only until fleet.token (or "
                           "general_settings.master_key) is set."
                         : "Missing or invalid fleet token. Send 'Authorization: Bearer "
                           "<fleet.token>' (or the node's fleet.nodes[].token).");
      if (r.access == Access::FleetToken && who == Caller::Node)
        return Error(Errc::Forbidden,
                     "A node's token sends that node's heartbeats and fetches its commands; this "
                     "needs the fleet token.");
      break;
    }
  }
  switch (r.guard) {
    case Guard::None: return std::nullopt;
    case Guard::AlwaysWrites: return guard(req, options_.guard, true, false, false);
    case Guard::Browser: return guard(req, options_.guard, writes(req), trusting(r.realm), false);
    case Guard::JsonBody: return guard(req, options_.guard, writes(req), trusting(r.realm), true);
  }
  return std::nullopt;
}

std::optional<Error> HttpRouter::check_head(const Request& req, const Peer& peer) const {
  const Match m = find(req);
  if (const Route* r = m.route ? m.route : m.path_route) return admit(*r, req, peer);
  // An unknown path: still no cross-site writes, nor a foreign Host while loopback is trusted.
  return guard(req, options_.guard, writes(req), trusting(Realm::Gateway), false);
}

bool HttpRouter::streams_body(const Request& req) const {
  const Match m = find(req);
  return m.route && m.route->streams_body;
}

asio::awaitable<void> HttpRouter::handle(ClientConnection& conn, Request& req) {
  AccessRecord log;
  log.start = options_.clock->steady();
  log.request_id = conn.request_id();
  const auto method_text = http::to_string(req.method);
  log.method = std::string_view(method_text.data(), method_text.size());
  log.path = req.path();
  log.client = conn.peer().address;
  // Ping URLs carry secrets (a UUID or a ping key): never into the log, nor near misses.
  if (ping_shaped(log.path)) log.path = "/ping/***";
  bool bug = false;  // an exception is a bug; the client still gets an answer, and it is logged
  try {
    const Match m = find(req);
    if (m.route)
      co_await m.route->handler(conn, req, log);
    else if (m.allowed)
      co_await conn.send_error(
          Error(Errc::MethodNotAllowed,
                "Use " + method_names(m.allowed) + " for " + std::string(req.path()) + "."));
    else
      co_await conn.send_error(
          Error(Errc::NotFound, "Unknown path " + std::string(req.path()) + "."));
  } catch (const std::exception& e) {
    bug = true;
    log.error = std::string("internal error: ") + e.what();
    spdlog::error("request {} ended by a bug: {}", conn.request_id(), e.what());
  }
  if (bug) {
    conn.set_close();  // whatever state the connection is in, it ends after this
    if (!conn.head_sent())
      co_await conn.send_error(Error(Errc::Internal, "An internal error ended this request."));
  }
  log.status = conn.status();
  if (log.stream_status && log.status < 400) {  // an error after the 200: counted as one
    log.sent_status = log.status;
    log.status = log.stream_status;
  }
  if (finished_) finished_(log);
  access_log_.write(log);
}

}  // namespace fleetgate
