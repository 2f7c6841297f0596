// GET /fleet/v1/requests: its query, each parameter's errors, and the JSON line of a row.
#include "fleet/request_query.h"

#include <gtest/gtest.h>
#include <boost/json.hpp>

namespace fleetgate {
namespace {

TEST(RequestQuery, ParametersAndTheirDefaults) {
  const std::int64_t now = 10'000'000;
  auto q = parse_request_query("", now);
  ASSERT_TRUE(q);
  EXPECT_EQ(q->since_ms, now - 3'600'000);
  EXPECT_EQ(q->limit, 100u);
  q = parse_request_query("since=15m&failed=1&model=qwen%3A7b&deployment=a%231&status=502&limit=5",
                          now);
  ASSERT_TRUE(q) << q.error().message;
  EXPECT_EQ(q->since_ms, now - 900'000);
  EXPECT_TRUE(q->failed);
  EXPECT_EQ(q->model, "qwen:7b");
  EXPECT_EQ(q->deployment, "a#1");
  EXPECT_EQ(q->status, 502);
  EXPECT_EQ(q->limit, 5u);
  EXPECT_FALSE(parse_request_query("failed=0", now)->failed);
}

TEST(RequestQuery, BadParametersAreNamed) {
  for (const char* bad : {"since=soon", "since=-1h", "status=99", "status=abc", "limit=0",
                          "limit=1001", "model=%zz", "model=%4", "colour=red"}) {
    auto q = parse_request_query(bad, 0);
    ASSERT_FALSE(q) << bad;
    EXPECT_EQ(q.error().code, Errc::BadRequest);
    EXPECT_FALSE(q.error().param.empty()) << bad;
  }
}

TEST(RequestQuery, ARowIsOneJsonObject) {
  RequestRow r;
  r.at_ms = 1'796'000'000'000;
  r.request_id = "abc";
  r.model = "m\"\n";
  r.status = 200;
  r.latency_ms = 1.25;
  std::string line;
  append_request_json(line, r);
  const auto v = boost::json::parse(line).as_object();
  EXPECT_EQ(v.at("model"), "m\"\n");
  EXPECT_EQ(v.at("status"), 200);
  EXPECT_TRUE(v.at("first_byte_ms").is_null());
  EXPECT_DOUBLE_EQ(v.at("latency_ms").to_number<double>(), 1.25);
  EXPECT_EQ(percent_encode("qwen2.5:7b /x"), "qwen2.5%3A7b%20%2Fx");
}

}  // namespace
}  // namespace fleetgate
