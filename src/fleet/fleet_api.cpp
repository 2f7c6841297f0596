#include "fleet/fleet_api.h"

#include "core/secret.h"
#include "core/text_forms.h"
#include "core/wall_time.h"

#include <boost/asio/async_result.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include <charconv>
#include <random>
#include <regex>

namespace fleetgate {

namespace {

namespace http = boost::beast::http;

constexpr std::size_t kPingBodyLimit = 10 * 1024;

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

}  // namespace

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
  // /ping/<key>/<slug>[/action]
  if (parts.size() >= 2 && !is_action(parts[1]) && service.check_key_matches(parts[1], parts[0])) {
    out.check = std::string(parts[1]);
    return parse_action(parts.size() == 3 ? parts[2] : "", out) ? PingParse::Ok
                                                                : PingParse::BadAction;
  }
  // /ping/<slug>[/action]: no secret at all
  if (parts.size() > 2) return PingParse::NotFound;
  out.check = std::string(parts[0]);
  out.by_slug_only = true;
  // "/ping/<word>/<word>" that is no action may be a key form with a wrong key: not found.
  return parse_action(parts.size() == 2 ? parts[1] : "", out) ? PingParse::Ok : PingParse::NotFound;
}

asio::awaitable<void> FleetApi::handle(ClientConnection& conn, Request& req) {
  boost::system::error_code ec;
  const auto peer = conn.socket().remote_endpoint(ec);
  const bool loopback = !ec && peer.address().is_loopback();
  const std::string_view path = req.path();
  if (path.starts_with("/ping/")) {
    co_await ping(conn, req, loopback);
  } else if (path == "/metrics") {
    if (req.method != http::verb::get) {
      co_await conn.send_error(Error(Errc::MethodNotAllowed, "Use GET for /metrics."));
      co_return;
    }
    std::string body;
    if (gateway_metrics_) gateway_metrics_(body);
    service_.append_metrics(body);
    co_await conn.send(200, "text/plain; version=0.0.4; charset=utf-8", body);
  } else {
    co_await fleet(conn, req, loopback);
  }
}

asio::awaitable<void> FleetApi::ping(ClientConnection& conn, Request& req, bool loopback) {
  if (req.method != http::verb::get && req.method != http::verb::post) {
    co_await conn.send(405, "text/plain; charset=utf-8", "method not allowed");
    co_return;
  }
  PingTarget target;
  const PingParse parsed = parse_ping_path(req.path(), service_, target);
  // As healthchecks.io: a wrong key, an unknown check and a secret-less ping from another
  // machine all look the same from outside.
  if (parsed == PingParse::NotFound || (target.by_slug_only && !loopback)) {
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
  boost::system::error_code ec;
  const auto peer = conn.socket().remote_endpoint(ec);
  if (!ec) p.remote = peer.address().to_string();
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

asio::awaitable<void> FleetApi::fleet(ClientConnection& conn, Request& req, bool loopback) {
  const auto& token = service_.token();
  const bool allowed = token ? bearer_matches(req.authorization, *token) : loopback;
  if (!allowed) {
    co_await conn.send_error(
        Error(Errc::Unauthorized, token ? "Missing or invalid fleet token. Send 'Authorization: "
                                          "Bearer <fleet.token>'."
                                        : "The fleet API is open to loopback clients only until "
                                          "fleet.token (or general_settings.master_key) is set."));
    co_return;
  }
  const std::string_view path = req.path();
  const bool get = req.method == http::verb::get;
  const bool post = req.method == http::verb::post;
  auto wrong_method = [&](const char* use) {
    return Error(Errc::MethodNotAllowed,
                 std::string("Use ") + use + " for " + std::string(path) + ".");
  };
  if (path == "/fleet/v1/heartbeat") {
    if (!post) {
      co_await conn.send_error(wrong_method("POST"));
      co_return;
    }
    co_await heartbeat(conn, req);
  } else if (path == "/fleet/v1/status") {
    if (!get) {
      co_await conn.send_error(wrong_method("GET"));
      co_return;
    }
    co_await conn.send(200, "application/json", service_.status_json());
  } else if (path == "/fleet/v1/alerts") {
    if (!get) {
      co_await conn.send_error(wrong_method("GET"));
      co_return;
    }
    co_await conn.send(200, "application/json", service_.alerts_json());
  } else if (path == "/fleet/v1/silences") {
    if (get)
      co_await conn.send(200, "application/json", service_.silences_json());
    else if (post)
      co_await post_silence(conn, req);
    else
      co_await conn.send_error(wrong_method("GET or POST"));
  } else if (path.starts_with("/fleet/v1/silences/")) {
    if (req.method != http::verb::delete_) {
      co_await conn.send_error(wrong_method("DELETE"));
      co_return;
    }
    const std::string id(path.substr(std::string_view("/fleet/v1/silences/").size()));
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
  } else {
    co_await conn.send_error(Error(Errc::NotFound, "Unknown path " + std::string(path) + "."));
  }
}

asio::awaitable<void> FleetApi::heartbeat(ClientConnection& conn, Request& req) {
  auto hb = parse_heartbeat(req.body);
  if (!hb) {
    co_await conn.send_error(hb.error());
    co_return;
  }
  const bool ok = co_await committed(
      [&](Store::Done done) { service_.heartbeat(*hb, req.body, std::move(done)); });
  if (!ok)
    co_await conn.send_error(Error(Errc::Unavailable, "Could not store the heartbeat; retry."));
  else
    co_await conn.send(200, "application/json", "{\"status\":\"ok\"}");
}

asio::awaitable<void> FleetApi::post_silence(ClientConnection& conn, Request& req) {
  // Alertmanager's API v2 body: {matchers: [{name, value, isRegex, isEqual}], startsAt,
  // endsAt, createdBy, comment}.
  boost::system::error_code ec;
  auto v = boost::json::parse(req.body, ec);
  auto bad = [](std::string m) { return Error(Errc::BadRequest, std::move(m)); };
  if (ec || !v.is_object()) {
    co_await conn.send_error(bad("The body must be a JSON object."));
    co_return;
  }
  const auto& o = v.get_object();
  Silence s;
  s.id = new_id();
  const auto now = FleetClock::now();
  s.starts_at = now;
  auto text = [&](const char* key) -> std::string {
    auto* x = o.if_contains(key);
    return x && x->is_string() ? std::string(x->get_string()) : std::string();
  };
  if (auto t = text("startsAt"); !t.empty()) {
    auto parsed = parse_rfc3339(t);
    if (!parsed) {
      co_await conn.send_error(bad("'startsAt' must be an RFC 3339 time."));
      co_return;
    }
    s.starts_at = std::max(*parsed, now);
  }
  auto ends = parse_rfc3339(text("endsAt"));
  if (!ends) {
    co_await conn.send_error(bad("'endsAt' (an RFC 3339 time) is required."));
    co_return;
  }
  s.ends_at = *ends;
  if (s.ends_at <= s.starts_at) {
    co_await conn.send_error(bad("'endsAt' must be later than startsAt and now."));
    co_return;
  }
  s.created_by = text("createdBy");
  s.comment = text("comment");
  auto* matchers = o.if_contains("matchers");
  if (!matchers || !matchers->is_array() || matchers->get_array().empty()) {
    co_await conn.send_error(bad("'matchers' must be a non-empty list."));
    co_return;
  }
  for (const auto& m : matchers->get_array()) {
    if (!m.is_object()) {
      co_await conn.send_error(bad("Each matcher must be an object."));
      co_return;
    }
    const auto& mo = m.get_object();
    Matcher mt;
    auto* n = mo.if_contains("name");
    auto* val = mo.if_contains("value");
    if (!n || !n->is_string() || n->get_string().empty() || !val || !val->is_string()) {
      co_await conn.send_error(bad("Each matcher needs a 'name' and a 'value'."));
      co_return;
    }
    mt.name = n->get_string();
    mt.value = val->get_string();
    if (auto* x = mo.if_contains("isRegex"); x && x->is_bool()) mt.is_regex = x->get_bool();
    if (auto* x = mo.if_contains("isEqual"); x && x->is_bool()) mt.is_equal = x->get_bool();
    bool regex_ok = true;
    if (mt.is_regex) {
      try {
        std::regex check(mt.value, std::regex::ECMAScript);
      } catch (const std::regex_error&) {
        regex_ok = false;
      }
    }
    if (!regex_ok) {
      co_await conn.send_error(bad("Matcher '" + mt.name + "': bad regex."));
      co_return;
    }
    s.matchers.push_back(std::move(mt));
  }
  const std::string id = s.id;
  const bool ok = co_await committed(
      [&](Store::Done done) { service_.add_silence(std::move(s), std::move(done)); });
  if (!ok)
    co_await conn.send_error(Error(Errc::Unavailable, "Could not store the silence; retry."));
  else
    co_await conn.send(200, "application/json", "{\"silenceID\":\"" + id + "\"}");
}

}  // namespace fleetgate
