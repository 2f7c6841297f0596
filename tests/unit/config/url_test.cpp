#include "config/url.h"

#include <gtest/gtest.h>

namespace fleetgate {

TEST(Url, ParsesSchemesPortsAndBasePath) {
  std::string problem;
  auto u = parse_url("http://armitage:8000/v1/", problem);
  ASSERT_TRUE(u);
  EXPECT_FALSE(u->tls);
  EXPECT_EQ(u->host, "armitage");
  EXPECT_EQ(u->port, 8000);
  EXPECT_EQ(u->base_path, "/v1");
  EXPECT_EQ(u->authority(), "armitage:8000");

  auto s = parse_url("https://api.openai.com/v1", problem);
  ASSERT_TRUE(s);
  EXPECT_TRUE(s->tls);
  EXPECT_EQ(s->port, 443);
  EXPECT_EQ(s->authority(), "api.openai.com");

  auto v6 = parse_url("http://[::1]:11434", problem);
  ASSERT_TRUE(v6);
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->authority(), "[::1]:11434");
}

TEST(Url, RejectsWhatWeCannotUse) {
  std::string problem;
  EXPECT_FALSE(parse_url("ftp://x", problem));
  EXPECT_NE(problem.find("http://"), std::string::npos);
  EXPECT_FALSE(parse_url("http://:80", problem));
  EXPECT_FALSE(parse_url("http://host:99999", problem));
  EXPECT_FALSE(parse_url("http://host:80/v1?x=1", problem));
  EXPECT_FALSE(parse_url("http://user:pw@host", problem));
}

TEST(Url, HostPortAndLoopback) {
  std::string problem;
  auto hp = parse_host_port("127.0.0.1:4000", problem);
  ASSERT_TRUE(hp);
  EXPECT_EQ(hp->port, 4000);
  EXPECT_FALSE(parse_host_port("127.0.0.1", problem));
  EXPECT_FALSE(parse_host_port("127.0.0.1:", problem));
  EXPECT_TRUE(is_loopback_host("127.0.0.1"));
  EXPECT_TRUE(is_loopback_host("127.1.2.3"));
  EXPECT_TRUE(is_loopback_host("::1"));
  EXPECT_TRUE(is_loopback_host("localhost"));
  EXPECT_FALSE(is_loopback_host("0.0.0.0"));
  EXPECT_FALSE(is_loopback_host("192.168.86.56"));
  EXPECT_FALSE(is_loopback_host("127.example.com"));
}

}  // namespace fleetgate
