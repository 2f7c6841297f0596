// The request log end to end: a request answered by the gateway is in GET /fleet/v1/requests
// within a few seconds, filterable, and a bad query gets a 400 naming its parameter.
#include "support/eventually.h"
#include "support/fake_upstream.h"
#include "support/http_client.h"
#include "support/in_process.h"

#include <gtest/gtest.h>
#include <boost/json.hpp>

namespace fleetgate::test {
namespace {

namespace json = boost::json;

std::vector<json::object> lines(const std::string& body) {
  std::vector<json::object> out;
  for (std::size_t at = 0; at < body.size();) {
    const auto end = body.find('\n', at);
    out.push_back(json::parse(body.substr(at, end - at)).as_object());
    at = end == std::string::npos ? body.size() : end + 1;
  }
  return out;
}

}  // namespace

TEST(RequestLogApi, AnsweredRequestsAreListedAndFiltered) {
  FakeUpstream good, broken;
  broken.always(FakeReply::error(500, "boom"));
  auto g = start_in_process(
      "model_list:\n  - model_name: good\n    litellm_params:\n"
      "      model: openai/m\n      api_base: " +
      good.base() +
      "\n  - model_name: broken\n    litellm_params:\n"
      "      model: openai/m\n      api_base: " +
      broken.base() + "\n");
  const std::string chat = R"(,"messages":[{"role":"user","content":"hi"}]})";
  ASSERT_EQ(
      http_request(g.port, "POST", "/v1/chat/completions", R"({"model":"good")" + chat).status,
      200);
  ASSERT_EQ(
      http_request(g.port, "POST", "/v1/chat/completions", R"({"model":"broken")" + chat).status,
      500);
  std::vector<json::object> all;
  ASSERT_TRUE(eventually([&] {
    all = lines(http_request(g.port, "GET", "/fleet/v1/requests?since=1h").body);
    return all.size() >= 2;
  }));
  EXPECT_EQ(all[0].at("model"), "broken");  // newest first
  EXPECT_EQ(all[0].at("status"), 500);
  EXPECT_EQ(all[0].at("client"), "127.0.0.1");
  EXPECT_EQ(all[1].at("model"), "good");
  EXPECT_EQ(all[1].at("deployment"), "good#1");
  EXPECT_EQ(all[1].at("dialect"), "openai");
  EXPECT_GT(all[1].at("first_byte_ms").to_number<double>(), 0);
  const auto failed = lines(http_request(g.port, "GET", "/fleet/v1/requests?failed=1").body);
  ASSERT_EQ(failed.size(), 1u);
  EXPECT_EQ(failed[0].at("error"), "backend answered 500");
  EXPECT_EQ(lines(http_request(g.port, "GET", "/fleet/v1/requests?model=good").body).size(), 1u);
  auto bad = http_request(g.port, "GET", "/fleet/v1/requests?limit=0");
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(json::parse(bad.body).at("error").at("param"), "limit");
}

}  // namespace fleetgate::test
