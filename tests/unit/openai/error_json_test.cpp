// The one mapping from an Error to an HTTP status and OpenAI's error JSON, and its SSE form.
#include "openai/error_json.h"

#include <gtest/gtest.h>
#include <boost/json/parse.hpp>

namespace fleetgate {
namespace {

TEST(ErrorJson, EachErrorCodeHasItsStatusTypeAndCode) {
  struct Case {
    Errc errc;
    int status;
    const char* type;
    const char* code;
  };
  const Case cases[] = {
      {Errc::BadRequest, 400, "invalid_request_error", nullptr},
      {Errc::Unauthorized, 401, "invalid_request_error", "invalid_api_key"},
      {Errc::ModelNotFound, 404, "invalid_request_error", "model_not_found"},
      {Errc::PayloadTooLarge, 413, "invalid_request_error", "request_too_large"},
      {Errc::RateLimited, 429, "rate_limit_error", "rate_limit_exceeded"},
      {Errc::ClientGone, 499, "invalid_request_error", "client_closed_request"},
      {Errc::UpstreamUnreachable, 502, "api_error", "upstream_unreachable"},
      {Errc::Unavailable, 503, "api_error", "unavailable"},
      {Errc::UpstreamTimeout, 504, "api_error", "upstream_timeout"},
      {Errc::Internal, 500, "server_error", "internal_error"},
  };
  for (const auto& c : cases) {
    const auto e = render_error(Error(c.errc, "what \"happened\"\n"));
    EXPECT_EQ(e.status, c.status) << e.body;
    const auto v = boost::json::parse(e.body).at("error").as_object();
    EXPECT_EQ(v.at("message"), "what \"happened\"\n");
    EXPECT_EQ(v.at("type"), c.type);
    EXPECT_TRUE(v.at("param").is_null());
    if (c.code)
      EXPECT_EQ(v.at("code"), c.code);
    else
      EXPECT_TRUE(v.at("code").is_null()) << e.body;
  }
}

TEST(ErrorJson, AParamIsNamedAndEmptyOnesAreNull) {
  EXPECT_EQ(error_json("m", "t", "model", ""),
            R"({"error":{"message":"m","type":"t","param":"model","code":null}})");
  Error e(Errc::BadRequest, "bad");
  e.param = "messages";
  EXPECT_EQ(boost::json::parse(render_error(e).body).at("error").at("param"), "messages");
}

TEST(ErrorJson, ErrorsInsideAStreamAreOneDataEvent) {
  std::string out;
  append_sse_error(out, "backend failed", "upstream_error");
  EXPECT_EQ(out,
            "data: "
            R"({"error":{"message":"backend failed","type":"api_error","param":null,)"
            R"("code":"upstream_error"}})"
            "\n\n");
  out.clear();
  append_sse_error(out, Error(Errc::UpstreamTimeout, "slow"));
  ASSERT_TRUE(out.starts_with("data: ") && out.ends_with("\n\n")) << out;
  EXPECT_EQ(boost::json::parse(out.substr(6)).at("error").at("code"), "upstream_timeout");
}

}  // namespace
}  // namespace fleetgate
