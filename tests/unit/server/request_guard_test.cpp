#include "server/request_guard.h"
#include "server/body_pool.h"
#include "server/client_connection.h"

#include <gtest/gtest.h>
#include <boost/asio/ip/address.hpp>

namespace fleetgate {

TEST(RequestGuard, HostsThatNameThisServer) {
  const GuardSettings g{"10.0.0.5", {"gpu1.lan"}};
  for (const char* ok : {"", "127.0.0.1", "127.0.0.1:4000", "localhost:4000", "LOCALHOST",
                         "[::1]:4000", "10.0.0.5:4000", "gpu1.lan", "GPU1.lan:8080"})
    EXPECT_TRUE(host_allowed(ok, g)) << ok;
  for (const char* bad : {"evil.example", "evil.example:4000", "127.0.0.1.evil.example",
                          "localhost.evil.example", "10.0.0.6:4000", "gpu1.lan.evil"})
    EXPECT_FALSE(host_allowed(bad, g)) << bad;
}

TEST(RequestGuard, CrossSiteIsTheOriginOrTheFetchSite) {
  Request r;
  r.host = "127.0.0.1:4000";
  EXPECT_FALSE(cross_site(r));  // curl: neither header
  r.has_origin = true;
  r.origin = "http://127.0.0.1:4000";
  EXPECT_FALSE(cross_site(r));
  r.origin = "http://127.0.0.1:5173";  // another port is another origin
  EXPECT_TRUE(cross_site(r));
  r.origin = "null";
  EXPECT_TRUE(cross_site(r));
  r.has_origin = false;
  r.fetch_site = "cross-site";
  EXPECT_TRUE(cross_site(r));
  r.fetch_site = "same-origin";
  EXPECT_FALSE(cross_site(r));
}

TEST(RequestGuard, JsonContentTypes) {
  for (const char* ok : {"application/json", "application/json; charset=utf-8", "Application/JSON",
                         "application/merge-patch+json"})
    EXPECT_TRUE(is_json_type(ok)) << ok;
  for (const char* bad : {"", "text/plain", "application/x-www-form-urlencoded",
                          "multipart/form-data", "text/json-ish", "application/+json"})
    EXPECT_FALSE(is_json_type(bad)) << bad;
}

TEST(RequestGuard, ABodyNeedsJsonOnlyWhenThereIsOne) {
  Request r;
  r.host = "127.0.0.1";
  EXPECT_FALSE(guard(r, {}, true, true, true));  // POST without a body (fleetgate process ...)
  r.content_length = 10;
  r.content_type = "text/plain";
  EXPECT_EQ(guard(r, {}, true, true, true)->code, Errc::UnsupportedMediaType);
  r.content_type = "application/json";
  EXPECT_FALSE(guard(r, {}, true, true, true));
  r.host = "evil.example";
  EXPECT_EQ(guard(r, {}, true, true, true)->code, Errc::Forbidden);
  EXPECT_FALSE(guard(r, {}, true, false, true));  // with a key, the Host is no matter
}

TEST(PeerAddress, IPv4MappedLoopbackIsLoopback) {
  namespace ip = boost::asio::ip;
  for (const char* yes : {"127.0.0.1", "127.3.2.1", "::1", "::ffff:127.0.0.1", "::ffff:127.9.9.9"})
    EXPECT_TRUE(is_loopback_address(ip::make_address(yes))) << yes;
  for (const char* no :
       {"10.0.0.1", "::ffff:10.0.0.1", "fe80::1", "::", "0.0.0.0", "::ffff:0.0.0.0"})
    EXPECT_FALSE(is_loopback_address(ip::make_address(no))) << no;
}

TEST(BodyPool, BuffersHoldWhatWasReceivedAndLargeOnesAreBounded) {
  BodyPool pool;
  std::string body;
  pool.lend(body, 32u << 20);  // announced, not received: nothing like 32 MiB set aside
  EXPECT_LE(body.capacity(), BodyPool::kSmall);
  body.assign(3u << 20, 'x');  // received
  pool.give_back(body);
  EXPECT_LE(body.capacity(), BodyPool::kSmall);
  EXPECT_EQ(pool.pooled(), 1u);
  std::string next = "first bytes";  // read along with the head
  pool.lend(next, 2u << 20);         // the next large body reuses it, and keeps them
  EXPECT_GE(next.capacity(), 3u << 20);
  EXPECT_EQ(next, "first bytes");
  EXPECT_EQ(pool.pooled(), 0u);
  for (int i = 0; i < 10; ++i) {
    std::string b(1u << 20, 'y');
    pool.give_back(b);
  }
  EXPECT_EQ(pool.pooled(), BodyPool::kKept);
  std::string huge(BodyPool::kMaxKept * 2, 'z');
  pool.give_back(huge);
  EXPECT_EQ(huge.capacity() <= BodyPool::kSmall, true);
  EXPECT_EQ(pool.pooled(), BodyPool::kKept);
}

}  // namespace fleetgate
