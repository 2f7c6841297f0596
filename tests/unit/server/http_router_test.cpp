// The route table: path patterns, and who may call what, checked before the body is read.
#include "server/http_router.h"

#include <gtest/gtest.h>
#include <boost/asio/io_context.hpp>

namespace fleetgate {
namespace {

namespace http = boost::beast::http;

TEST(PathPattern, ExactOneSegmentAndTheRest) {
  EXPECT_TRUE(path_matches("/v1/models", "/v1/models"));
  EXPECT_FALSE(path_matches("/v1/models", "/v1/models/"));
  EXPECT_FALSE(path_matches("/v1/models", "/v1/model"));
  EXPECT_TRUE(path_matches("/fleet/v1/silences/*", "/fleet/v1/silences/abc"));
  EXPECT_FALSE(path_matches("/fleet/v1/silences/*", "/fleet/v1/silences/"));
  EXPECT_FALSE(path_matches("/fleet/v1/silences/*", "/fleet/v1/silences/a/b"));
  EXPECT_TRUE(
      path_matches("/fleet/v1/agents/*/processes/*/*", "/fleet/v1/agents/n/processes/p/start"));
  EXPECT_FALSE(
      path_matches("/fleet/v1/agents/*/processes/*/*", "/fleet/v1/agents/n/processes/a/b/start"));
  EXPECT_FALSE(path_matches("/fleet/v1/agents/*/commands", "/fleet/v1/agents//commands"));
  EXPECT_TRUE(path_matches("/v1/models/**", "/v1/models/openai/gpt-4o"));
  EXPECT_FALSE(path_matches("/v1/models/**", "/v1/models/"));
  EXPECT_TRUE(path_matches("/ping/**", "/ping/a/b/c"));
}

TEST(PathPattern, PingShapedPathsAreFoundAnywhere) {
  EXPECT_TRUE(ping_shaped("/ping/backup"));
  EXPECT_TRUE(ping_shaped("//PING/abc"));
  EXPECT_TRUE(ping_shaped("/x/0a1b2c3d-0000-4000-8000-000000000000/start"));
  EXPECT_FALSE(ping_shaped("/v1/chat/completions"));
}

struct Fleet : FleetCredentials {
  bool token = true;
  Caller caller(std::string_view authorization, bool loopback) const override {
    if (authorization == "Bearer fleet" || (!token && loopback)) return Caller::Fleet;
    if (authorization == "Bearer node") return Caller::Node;
    return Caller::None;
  }
  bool token_set() const override { return token; }
};

struct RouterTest : ::testing::Test {
  boost::asio::io_context io;
  AccessLog log{"off"};
  Fleet fleet;
  std::unique_ptr<HttpRouter> router(std::optional<std::string> key) {
    auto r = std::make_unique<HttpRouter>(
        HttpRouter::Options{std::move(key), GuardSettings{"127.0.0.1", {}}, &fleet}, log,
        io.get_executor());
    auto none = [](ClientConnection&, Request&, AccessRecord&) -> asio::awaitable<void> {
      co_return;
    };
    r->add(Route{"/v1/chat/completions", kPost, Access::MasterKey, Guard::Browser, Realm::Gateway,
                 none});
    r->add(
        Route{"/health/liveliness", kAnyMethod, Access::Open, Guard::None, Realm::Gateway, none});
    r->add(Route{"/fleet/v1/heartbeat", kPost, Access::NodeToken, Guard::JsonBody, Realm::Fleet,
                 none});
    r->add(
        Route{"/fleet/v1/status", kGet, Access::FleetToken, Guard::JsonBody, Realm::Fleet, none});
    r->add(Route{"/ping/**", kAnyMethod, Access::Open, Guard::AlwaysWrites, Realm::Fleet, none});
    return r;
  }
  static Request request(http::verb method, std::string target, std::string authorization = "") {
    Request r;
    r.method = method;
    r.target = std::move(target);
    r.authorization = std::move(authorization);
    r.host = "127.0.0.1:4000";
    r.content_type = "application/json";
    return r;
  }
  static std::optional<Errc> refused(const HttpRouter& r, const Request& req,
                                     bool loopback = true) {
    const auto e = r.check_head(req, Peer{loopback, {}});
    return e ? std::optional<Errc>(e->code) : std::nullopt;
  }
};

TEST_F(RouterTest, TheMasterKeyGuardsItsRoutesInConstantTimeCompare) {
  const auto r = router("sk-test");
  EXPECT_EQ(refused(*r, request(http::verb::post, "/v1/chat/completions")), Errc::Unauthorized);
  EXPECT_EQ(refused(*r, request(http::verb::post, "/v1/chat/completions", "Bearer sk-tesT")),
            Errc::Unauthorized);
  EXPECT_EQ(refused(*r, request(http::verb::post, "/v1/chat/completions", "bearer sk-test")),
            std::nullopt);
  // A wrong method is still refused for the key first: nothing is read from an unknown caller.
  EXPECT_EQ(refused(*r, request(http::verb::get, "/v1/chat/completions")), Errc::Unauthorized);
  EXPECT_EQ(refused(*r, request(http::verb::get, "/health/liveliness")), std::nullopt);
  const auto open = router(std::nullopt);
  EXPECT_EQ(refused(*open, request(http::verb::post, "/v1/chat/completions")), std::nullopt);
}

TEST_F(RouterTest, NodeTokensReachTheirEndpointsOnly) {
  const auto r = router(std::nullopt);
  EXPECT_EQ(refused(*r, request(http::verb::post, "/fleet/v1/heartbeat", "Bearer node")),
            std::nullopt);
  EXPECT_EQ(refused(*r, request(http::verb::get, "/fleet/v1/status", "Bearer node")),
            Errc::Forbidden);
  EXPECT_EQ(refused(*r, request(http::verb::get, "/fleet/v1/status", "Bearer fleet")),
            std::nullopt);
  EXPECT_EQ(refused(*r, request(http::verb::get, "/fleet/v1/status")), Errc::Unauthorized);
  fleet.token = false;  // no token set: loopback clients are trusted, others are not
  EXPECT_EQ(refused(*r, request(http::verb::get, "/fleet/v1/status")), std::nullopt);
  EXPECT_EQ(refused(*r, request(http::verb::get, "/fleet/v1/status"), false), Errc::Unauthorized);
}

TEST_F(RouterTest, BrowsersAreRefusedByTheRoutesGuard) {
  const auto r = router(std::nullopt);
  auto cross = request(http::verb::post, "/v1/chat/completions");
  cross.has_origin = true;
  cross.origin = "http://evil.example";
  EXPECT_EQ(refused(*r, cross), Errc::Forbidden);
  auto rebinding = request(http::verb::post, "/v1/chat/completions");
  rebinding.host = "evil.example";
  EXPECT_EQ(refused(*r, rebinding), Errc::Forbidden);  // loopback trust: this Host is not ours
  auto ping = request(http::verb::get, "/ping/backup");
  ping.fetch_site = "cross-site";
  EXPECT_EQ(refused(*r, ping), Errc::Forbidden);  // a GET ping changes state too
  auto text = request(http::verb::post, "/fleet/v1/heartbeat", "Bearer fleet");
  text.content_type = "text/plain";
  text.content_length = 2;
  EXPECT_EQ(refused(*r, text), Errc::UnsupportedMediaType);
  auto unknown = request(http::verb::post, "/nowhere");
  unknown.host = "evil.example";
  EXPECT_EQ(refused(*r, unknown), Errc::Forbidden);  // unknown paths get the guard too
}

}  // namespace
}  // namespace fleetgate
