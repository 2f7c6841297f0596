#include "fleet/fleet_api.h"

#include "fleet/request_query.h"

#include "core/json_escape.h"
#include "core/secret.h"
#include "core/text_forms.h"
#include "core/wall_time.h"
#include "fleet/silence_json.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include <charconv>
#include <random>

namespace fleetgate {

namespace {

namespace http = boost::beast::http;

constexpr std::size_t kPingBodyLimit = 10 * 1024;

// What a /ping/... URL names: the check and what happened.
struct PingTarget {
  std::string check;  // the slug
  PingKind kind = PingKind::Success;
  int exit_status = 0;
  bool by_slug_only = false;  // no secret in the URL: loopback clients only
};
enum class PingParse { Ok, NotFound, BadAction };

std::vector<std::string_view> split(std::string_view s) {
  std::vector<std::string_view> parts;
  while (!s.empty()) {
    auto slash = s.find('/');
    parts.push_back(s.substr(0, slash));
    if (slash == std::string_view::npos) break;
    s.remove_prefix(slash + 1);
  }
  return parts;
}

// "", start, fail, log, or an exit status 0..255.
bool parse_action(std::string_view a, PingTarget& t) {
  if (a.empty()) return true;
  if (a == "start") return t.kind = PingKind::Start, true;
  if (a == "fail") return t.kind = PingKind::Fail, true;
  if (a == "log") return t.kind = PingKind::Log, true;
  int code = 0;
  auto [p, ec] = std::from_chars(a.data(), a.data() + a.size(), code);
  if (ec != std::errc{} || p != a.data() + a.size() || code < 0 || code > 255) return false;
  t.kind = PingKind::ExitStatus;
  t.exit_status = code;
  return true;
}

bool is_action(std::string_view a) {
  PingTarget ignored;
  return parse_action(a, ignored);
}

// Resumes the calling coroutine on its own executor once `start(done)` has had `done` called
// (on the store's writer thread, or right away).
asio::awaitable<bool> committed(std::function<void(Store::Done)> start) {
  co_return co_await asio::async_initiate<decltype(asio::use_awaitable), void(bool)>(
      [&start](auto handler) {  // runs before async_initiate returns
        auto h = std::make_shared<decltype(handler)>(std::move(handler));
        start([h](bool ok) {
          auto ex = asio::get_associated_executor(*h);
          asio::post(ex, [h, ok]() mutable { (*h)(ok); });
        });
      },
      asio::use_awaitable);
}

std::string new_id() {
  static thread_local std::mt19937_64 rng(std::random_device{}());
  const std::uint64_t a = rng(), b = rng();
  char buf[40];
  std::snprintf(buf, sizeof buf, "%08x-%04x-4%03x-%04x-%012llx", static_cast<unsigned>(a >> 32),
                static_cast<unsigned>((a >> 16) & 0xffff), static_cast<unsigned>(a & 0xfff),
                static_cast<unsigned>(0x8000 | ((b >> 48) & 0x3fff)),
                static_cast<unsigned long long>(b & 0xffffffffffffull));
  return buf;
}

PingParse parse_ping_path(std::string_view path, const FleetService& service, PingTarget& out) {
  path.remove_prefix(std::string_view("/ping/").size());
  const auto parts = split(path);
  if (parts.empty() || parts.size() > 3 || parts[0].empty()) return PingParse::NotFound;
  // /ping/<uuid>[/action]
  if (is_uuid(parts[0])) {
    auto slug = service.check_by_uuid(parts[0]);
    if (!slug || parts.size() > 2) return PingParse::NotFound;
    out.check = *slug;
    return parse_action(parts.size() == 2 ? parts[1] : "", out) ? PingParse::Ok
                                                                : PingParse::BadAction;
  }
  // /ping/<key>/<slug>[/action]; a slug is all a check may be named (nothing else is stored)
  if (parts.size() >= 2 && !is_action(parts[1]) && is_slug(parts[1]) &&
      service.check_key_matches(parts[1], parts[0])) {
    out.check = std::string(parts[1]);
    return parse_action(parts.size() == 3 ? parts[2] : "", out) ? PingParse::Ok
                                                                : PingParse::BadAction;
  }
  // /ping/<slug>[/action]: no secret at all
  if (parts.size() > 2 || !is_slug(parts[0])) return PingParse::NotFound;
  out.check = std::string(parts[0]);
  out.by_slug_only = true;
  // "/ping/<word>/<word>" that is no action may be a key form with a wrong key: not found.
  return parse_action(parts.size() == 2 ? parts[1] : "", out) ? PingParse::Ok : PingParse::NotFound;
}

}  // namespace

void FleetApi::set_guard(GuardSettings guard) {
  auto next = std::make_shared<const GuardSettings>(std::move(guard));
  std::lock_guard lock(guard_mutex_);
  guard_ = std::move(next);
}

std::shared_ptr<const GuardSettings> FleetApi::guard_settings() const {
  std::lock_guard lock(guard_mutex_);
  return guard_;
}

FleetCredentials::Caller FleetApi::caller(std::string_view authorization, bool loopback) const {
  const FleetService::Caller who = service_.caller(authorization, loopback);
  return who.fleet ? Caller::Fleet : who ? Caller::Node : Caller::None;
}

void FleetApi::add_routes(HttpRouter& router) {
  using Member = asio::awaitable<void> (FleetApi::*)(ClientConnection&, Request&);
  auto route = [&](std::string_view pattern, Methods methods, Access access, Guard guard,
                   Member member) {
    router.add(Route{pattern, methods, access, guard, Realm::Fleet,
                     [this, member](ClientConnection& conn, Request& req, AccessRecord&) {
                       return (this->*member)(conn, req);
                     }});
  };
  // A ping changes state even by GET, and curl sends no Origin: no cross-site request at all.
  route("/ping/**", kAnyMethod, Access::Open, Guard::AlwaysWrites, &FleetApi::ping);
  route("/metrics", kGet, Access::Open, Guard::Browser, &FleetApi::metrics);
  const Guard json = Guard::JsonBody;
  route("/fleet/v1/heartbeat", kPost, Access::NodeToken, json, &FleetApi::heartbeat);
  route("/fleet/v1/agents/*/commands", kGet, Access::NodeToken, json, &FleetApi::commands);
  route("/fleet/v1/status", kGet, Access::FleetToken, json, &FleetApi::status);
  route("/fleet/v1/alerts", kGet, Access::FleetToken, json, &FleetApi::alerts);
  route("/fleet/v1/silences", kGet, Access::FleetToken, json, &FleetApi::silences);
  route("/fleet/v1/requests", kGet, Access::FleetToken, json, &FleetApi::requests);
  route("/fleet/v1/silences", kPost, Access::FleetToken, json, &FleetApi::post_silence);
  route("/fleet/v1/silences/*", kDelete, Access::FleetToken, json, &FleetApi::expire_silence);
  route("/fleet/v1/agents/*/processes/*/*", kPost, Access::FleetToken, json, &FleetApi::control);
  // Any other /fleet/ path: not found, once the token says the caller may know.
  route("/fleet/**", kAnyMethod, Access::FleetToken, json, &FleetApi::unknown);
}

asio::awaitable<void> FleetApi::metrics(ClientConnection& conn, Request&) {
  std::string body;
  if (gateway_metrics_) gateway_metrics_(body);
  service_.append_metrics(body);
  co_await conn.send(200, "text/plain; version=0.0.4; charset=utf-8", body);
}

asio::awaitable<void> FleetApi::status(ClientConnection& conn, Request&) {
  co_await conn.send(200, "application/json", service_.status_json());
}

asio::awaitable<void> FleetApi::alerts(ClientConnection& conn, Request&) {
  co_await conn.send(200, "application/json", service_.alerts_json());
}

asio::awaitable<void> FleetApi::silences(ClientConnection& conn, Request&) {
  co_await conn.send(200, "application/json", service_.silences_json());
}

// The request log, newest first, as JSON lines. A bounded read (at most 1,000 rows by an index)
// on this worker's thread.
asio::awaitable<void> FleetApi::requests(ClientConnection& conn, Request& req) {
  const std::string_view target = req.target;
  const auto mark = target.find('?');
  const std::string_view query = mark == std::string_view::npos ? "" : target.substr(mark + 1);
  const auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  auto q = parse_request_query(query, now_ms);
  if (!q) {
    co_await conn.send_error(q.error());
    co_return;
  }
  Store* store = service_.store();
  std::string body;
  if (store)
    for (const auto& row : store->requests(*q)) {
      append_request_json(body, row);
      body += '\n';
    }
  co_await conn.send(200, "application/x-ndjson", body);
}

asio::awaitable<void> FleetApi::unknown(ClientConnection& conn, Request& req) {
  co_await conn.send_error(Error(Errc::NotFound, "Unknown path " + std::string(req.path()) + "."));
}

asio::awaitable<void> FleetApi::expire_silence(ClientConnection& conn, Request& req) {
  const std::string id(req.path().substr(std::string_view("/fleet/v1/silences/").size()));
  bool found = true;
  const bool ok = co_await committed([&](Store::Done done) {
    found = service_.expire_silence(id, done);
    if (!found) done(true);
  });
  if (!found)
    co_await conn.send_error(Error(Errc::NotFound, "No silence with id '" + id + "'."));
  else if (!ok)
    co_await conn.send_error(Error(Errc::Unavailable, "Could not store the change; retry."));
  else
    co_await conn.send(200, "application/json", "{}");
}

asio::awaitable<void> FleetApi::ping(ClientConnection& conn, Request& req) {
  boost::system::error_code ec;
  const auto peer = conn.socket().remote_endpoint(ec).address();  // unspecified on error
  const bool loopback = conn.peer().loopback;
  if (req.method != http::verb::get && req.method != http::verb::post) {
    co_await conn.send(405, "text/plain; charset=utf-8", "method not allowed");
    co_return;
  }
  PingTarget target;
  const PingParse parsed = parse_ping_path(req.path(), service_, target);
  // As healthchecks.io: a wrong key, an unknown check and a secret-less ping from another
  // machine all look the same from outside.
  // A ping without a secret is for local cron jobs: from loopback, to this server by name.
  if (parsed == PingParse::NotFound ||
      (target.by_slug_only && (!loopback || !host_allowed(req.host, *guard_settings())))) {
    co_await conn.send(404, "text/plain; charset=utf-8", "not found");
    co_return;
  }
  if (parsed == PingParse::BadAction) {
    co_await conn.send(400, "text/plain; charset=utf-8", "invalid url format");
    co_return;
  }
  const bool existed = service_.has_check(target.check);
  PingRequest p;
  p.check = target.check;
  p.kind = target.kind;
  p.exit_status = target.exit_status;
  p.body = req.body.substr(0, kPingBodyLimit);
  if (!peer.is_unspecified()) p.remote = peer.to_string();
  bool found = true;
  const bool ok = co_await committed([&](Store::Done done) {
    found = service_.ping(p, done);
    if (!found) done(true);
  });
  if (!found)
    co_await conn.send(404, "text/plain; charset=utf-8", "not found");
  else if (!ok)
    co_await conn.send(503, "text/plain; charset=utf-8", "could not store the ping; retry");
  else if (!existed)
    co_await conn.send(201, "text/plain; charset=utf-8", "Created");
  else
    co_await conn.send(200, "text/plain; charset=utf-8", "OK");
}

asio::awaitable<void> FleetApi::heartbeat(ClientConnection& conn, Request& req) {
  const FleetService::Caller who = service_.caller(req.authorization, conn.peer().loopback);
  auto hb = parse_heartbeat(req.body);
  if (!hb) {
    co_await conn.send_error(hb.error());
    co_return;
  }
  if (!who.fleet && who.node != hb->node) {
    co_await conn.send_error(Error(Errc::Forbidden, "This token is for node '" + *who.node +
                                                        "'; it cannot report for node '" +
                                                        hb->node + "'."));
    co_return;
  }
  const bool ok = co_await committed(
      [&](Store::Done done) { service_.heartbeat(*hb, req.body, std::move(done)); });
  if (!ok)
    co_await conn.send_error(Error(Errc::Unavailable, "Could not store the heartbeat; retry."));
  else
    co_await conn.send(200, "application/json", "{\"status\":\"ok\"}");
}

// POST /fleet/v1/agents/<node>/processes/<name>/<start|stop|restart>: queued for the node's
// agent (202); what it did shows in its next heartbeat (status, report). Commands not fetched
// within two minutes are dropped.
asio::awaitable<void> FleetApi::control(ClientConnection& conn, Request& req) {
  const std::string_view path = req.path();
  const std::string_view rest = path.substr(std::string_view("/fleet/v1/agents/").size());
  const auto mark = rest.find("/processes/");
  const std::string node(rest.substr(0, mark));
  const std::string_view tail = rest.substr(mark + std::string_view("/processes/").size());
  const auto slash = tail.rfind('/');
  const std::string process(slash == tail.npos ? tail : tail.substr(0, slash));
  const std::string action(slash == tail.npos ? std::string_view() : tail.substr(slash + 1));
  if (node.empty() || process.empty() || process.find('/') != std::string::npos) {
    co_await conn.send_error(Error(Errc::NotFound, "Unknown path " + std::string(path) + "."));
    co_return;
  }
  const auto known = parse_control_action(action);
  if (!known) {
    co_await conn.send_error(
        Error(Errc::BadRequest, "Unknown action '" + action + "': use start, stop or restart."));
    co_return;
  }
  AgentChannel* agents = service_.agents;
  const auto now = service_.clock().steady();
  const bool connected = agents && agents->connected(node, now);
  if (agents) agents->send(node, {process, *known, "asked through the fleet API", false}, now);
  co_await conn.send(202, "application/json",
                     "{\"queued\":true,\"node\":" + json_string(node) + ",\"process\":" +
                         json_string(process) + ",\"action\":" + json_string(action) +
                         ",\"agent_connected\":" + (connected ? "true" : "false") + "}");
}

// The agent's long poll: answered as soon as a command waits for its node, else after
// wait_ms (at most 60 s). Polled every 50 ms rather than signalled: a handful of agents, and a
// start command's 50 ms are nothing beside a model server's start.
asio::awaitable<void> FleetApi::commands(ClientConnection& conn, Request& req) {
  const FleetService::Caller who = service_.caller(req.authorization, conn.peer().loopback);
  const std::string_view path = req.path();
  constexpr std::string_view prefix = "/fleet/v1/agents/";
  const std::string node(path.substr(
      prefix.size(), path.size() - prefix.size() - std::string_view("/commands").size()));
  if (node.empty() || node.find('/') != std::string::npos) {
    co_await conn.send_error(Error(Errc::NotFound, "Unknown path " + std::string(path) + "."));
    co_return;
  }
  if (!who.fleet && who.node != node) {  // an agent receives its own node's commands only
    co_await conn.send_error(
        Error(Errc::Forbidden, "This token is for node '" + *who.node +
                                   "'; it cannot fetch the commands of node '" + node + "'."));
    co_return;
  }
  AgentChannel* agents = service_.agents;
  if (!agents) {
    co_await conn.send(200, "application/json", control_reply_json({}));
    co_return;
  }
  std::int64_t wait_ms = 20000;
  const std::string_view target = req.target;
  if (auto q = target.find("wait_ms="); q != std::string_view::npos) {
    std::int64_t v = 0;
    const auto digits = target.substr(q + 8);
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), v);
    if (ec != std::errc() || v < 0) {
      co_await conn.send_error(
          Error(Errc::BadRequest, "wait_ms must be a number of milliseconds", "wait_ms"));
      co_return;
    }
    wait_ms = std::min<std::int64_t>(v, 60000);
  }
  const auto until = service_.clock().steady() + std::chrono::milliseconds(wait_ms);
  agents->polling(node, +1, service_.clock().steady());
  asio::steady_timer timer(co_await asio::this_coro::executor);
  while (!agents->has_commands(node, service_.clock().steady()) &&
         service_.clock().steady() < until && !(draining && draining())) {
    timer.expires_after(std::chrono::milliseconds(50));
    co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
  }
  agents->polling(node, -1, service_.clock().steady());
  co_await conn.send(200, "application/json",
                     control_reply_json(agents->take(node, service_.clock().steady())));
}

asio::awaitable<void> FleetApi::post_silence(ClientConnection& conn, Request& req) {
  auto s = parse_silence(req.body, new_id(), service_.clock().wall());
  if (!s) {
    co_await conn.send_error(s.error());
    co_return;
  }
  const std::string id = s->id;
  const bool ok = co_await committed(
      [&](Store::Done done) { service_.add_silence(std::move(*s), std::move(done)); });
  if (!ok)
    co_await conn.send_error(Error(Errc::Unavailable, "Could not store the silence; retry."));
  else
    co_await conn.send(200, "application/json", "{\"silenceID\":\"" + id + "\"}");
}

}  // namespace fleetgate
