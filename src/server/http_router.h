// The one HTTP route table: {method, path pattern, who may call it, what browsers may not do,
// handler}. Every endpoint (the OpenAI API, admin, the fleet API, pings, metrics) is registered
// here by the module that owns it. Who may call is checked once the head is in, before the
// body is read; the router then runs the handler, turns a missing route or a wrong method into
// the error answer, keeps a bug from leaving the client without one, and writes the access log.
// One router per worker thread (and per config: a reload installs new ones).
#pragma once

#include "core/clock.h"
#include "server/access_log.h"
#include "server/request_guard.h"
#include "server/request_handler.h"

#include <boost/beast/http/verb.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace fleetgate {

// Who may call a route.
enum class Access {
  Open,        // anyone (health, /metrics; pings carry their secret in the URL)
  MasterKey,   // general_settings.master_key when one is set (else the listener is loopback)
  FleetToken,  // fleet.token (or the master key); while none is set, loopback clients only
  NodeToken,   // as FleetToken, or a node's own fleet.nodes[].token
};

// What browsers may not do there (server/request_guard.h).
enum class Guard {
  None,          // nothing is checked (health)
  Browser,       // no cross-site writes; while loopback is trusted, no foreign Host
  JsonBody,      // Browser, and a body must be JSON
  AlwaysWrites,  // every method changes state (pings, even GET): no cross-site request at all
};

// Whose credential's absence makes a route trust loopback (for Guard::Browser and JsonBody).
enum class Realm { Gateway, Fleet };

// Methods a route takes, one bit per verb.
using Methods = std::uint32_t;
constexpr Methods method_bit(boost::beast::http::verb v) {
  return Methods{1} << static_cast<unsigned>(v);
}
inline constexpr Methods kGet = method_bit(boost::beast::http::verb::get);
inline constexpr Methods kPost = method_bit(boost::beast::http::verb::post);
inline constexpr Methods kDelete = method_bit(boost::beast::http::verb::delete_);
inline constexpr Methods kAnyMethod = ~Methods{0};

using RouteHandler =
    std::function<asio::awaitable<void>(ClientConnection&, Request&, AccessRecord&)>;

struct Route {
  // "/v1/models" exactly; "*" is one non-empty segment ("/fleet/v1/silences/*"); a final "**"
  // is one or more segments ("/ping/**").
  std::string_view pattern;
  Methods methods = kGet;
  Access access = Access::Open;
  Guard guard = Guard::Browser;
  Realm realm = Realm::Gateway;
  RouteHandler handler;
  bool streams_body = false;  // the handler reads the body as it arrives (uploads)
};

// The fleet's credentials (fleet.token, the nodes' tokens), checked live: a reload's tokens
// apply at once.
class FleetCredentials {
 public:
  enum class Caller { None, Node, Fleet };
  virtual ~FleetCredentials() = default;
  virtual Caller caller(std::string_view authorization, bool loopback) const = 0;
  virtual bool token_set() const = 0;
};

// Whether `path` matches `pattern` (see Route::pattern).
bool path_matches(std::string_view pattern, std::string_view path);
// A path that may carry a ping's secret: "ping/" anywhere in any case (//ping/<uuid>,
// /PING/<key>/<slug>), or a UUID-shaped segment. Never logged as it is.
bool ping_shaped(std::string_view path);

class HttpRouter : public RequestHandler {
 public:
  struct Options {
    std::optional<std::string> master_key;
    GuardSettings guard;                      // the listener's address, fleetgate.allowed_hosts
    const FleetCredentials* fleet = nullptr;  // null: no fleet routes
    const Clock* clock = &system_clock();     // AccessRecord::start
  };
  // `finished` sees every request's record once it is answered (the gateway's metrics).
  HttpRouter(Options options, AccessLog& access_log, asio::any_io_executor executor,
             std::function<void(const AccessRecord&)> finished = {});

  // Routes are matched in the order they were added: the hot ones first.
  void add(Route route) { routes_.push_back(std::move(route)); }
  // Keeps an object the handlers point into alive as long as the router.
  void keep(std::shared_ptr<void> owner) { owned_.push_back(std::move(owner)); }

  std::optional<Error> check_head(const Request& req, const Peer& peer) const override;
  bool streams_body(const Request& req) const override;
  asio::awaitable<void> handle(ClientConnection& conn, Request& req) override;

 private:
  struct Match {
    const Route* route = nullptr;
    const Route* path_route = nullptr;  // no route: the first whose path matched
    Methods allowed = 0;                // no route: the methods the path takes (0: unknown path)
  };
  Match find(const Request& req) const;
  std::optional<Error> admit(const Route& route, const Request& req, const Peer& peer) const;
  bool trusting(Realm realm) const;

  Options options_;
  AccessLogWriter access_log_;
  std::function<void(const AccessRecord&)> finished_;
  std::vector<Route> routes_;
  std::vector<std::shared_ptr<void>> owned_;
};

}  // namespace fleetgate
