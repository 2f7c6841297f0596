#include "openai/request_scan.h"

#include <gtest/gtest.h>
#include <boost/json.hpp>

namespace fleetgate {

TEST(RequestScan, FindsModelSpanStreamAndPayload) {
  const std::string body =
      R"({"messages":[{"role":"user","content":"{\"model\":\"decoy\"}"}], "model" : "qwen-7b", "stream":true,)"
      R"( "stream_options":{"include_usage":true}})";
  auto r = scan_request(body);
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_TRUE(r->model);
  EXPECT_EQ(body.substr(r->model->offset, r->model->size), "\"qwen-7b\"");
  EXPECT_EQ(r->model_name, "qwen-7b");
  EXPECT_TRUE(r->stream);
  EXPECT_TRUE(r->include_usage);
  EXPECT_TRUE(r->has_messages);
  EXPECT_FALSE(r->has_prompt);
}

TEST(RequestScan, DecodesEscapedModelNames) {
  auto r = scan_request(R"({"model":"a\/b\u00e9\ud83d\ude00","prompt":"x"})");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->model_name, "a/b\xC3\xA9\xF0\x9F\x98\x80");
  EXPECT_TRUE(r->has_prompt);
}

TEST(RequestScan, NonStringModelIsNotAModel) {
  auto r = scan_request(R"({"model":7,"messages":[]})");
  ASSERT_TRUE(r);
  EXPECT_FALSE(r->model);
}

TEST(RequestScan, ErrorsNameTheOffset) {
  auto r = scan_request(R"({"model":"x",})");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::BadRequest);
  EXPECT_NE(r.error().message.find("at byte 13"), std::string::npos) << r.error().message;
  EXPECT_FALSE(scan_request("[1,2]"));
  EXPECT_FALSE(scan_request(""));
}

// Our scanner must agree with Boost.JSON on what is valid JSON.
TEST(RequestScan, AgreesWithBoostJsonOnValidity) {
  const std::vector<std::string> cases = {R"({})",
                                          R"({"a":1})",
                                          R"({"a":-0.5e+10})",
                                          R"({"a":01})",
                                          R"({"a":1.})",
                                          R"({"a":.5})",
                                          R"({"a":-})",
                                          R"({"a":1e})",
                                          R"({"a":tru})",
                                          R"({"a":true})",
                                          R"({"a":null,"b":false})",
                                          R"({"a":[1,[2,[3,{}]]]})",
                                          R"({"a":[1,]})",
                                          R"({"a":[,1]})",
                                          R"({"a" 1})",
                                          R"({a:1})",
                                          R"({"a":"\x"})",
                                          R"({"a":"\u12"})",
                                          R"({"a":"\ud800"})",
                                          R"({"a":"\udc00\ud800"})",
                                          "{\"a\":\"tab\there\"}",
                                          "{\"a\":\"\xC3\xA9\"}",
                                          "{\"a\":\"\xC3\"}",
                                          "{\"a\":\"\xED\xA0\x80\"}",
                                          "{\"a\":\"\xF0\x9F\x98\x80\"}",
                                          "{\"a\":\"\xC0\xAF\"}",
                                          "{\"a\":\"\xF4\x90\x80\x80\"}",
                                          R"({"a":1} )",
                                          R"({"a":1} x)",
                                          R"( {"a":"b"})",
                                          R"({"a":1}{"b":2})",
                                          R"({"a":"\"\\\/\b\f\n\r\t"})",
                                          R"({"a":1,"a":2})",
                                          "{\"a\":1}\n",
                                          R"({"a":[]})",
                                          R"({"a":{"b":{"c":[]}}})"};
  for (const auto& text : cases) {
    boost::system::error_code ec;
    boost::json::value v = boost::json::parse(text, ec);
    const bool boost_ok = !ec && v.is_object();
    EXPECT_EQ(scan_request(text).has_value(), boost_ok) << text;
  }
}

TEST(RequestScan, DeepNestingIsRejectedNotACrash) {
  std::string deep = "{\"a\":" + std::string(100000, '[') + std::string(100000, ']') + "}";
  EXPECT_FALSE(scan_request(deep));
}

}  // namespace fleetgate
