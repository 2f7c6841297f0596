// Which front end takes a request, by dialect.
#include "frontends/front_end.h"

#include <gtest/gtest.h>

namespace fleetgate {
namespace {

TEST(FrontEnd, EachDialectHasOne) {
  EXPECT_EQ((*make_front_call(Dialect::Anthropic,
                              FrontInput{.path = "/v1/messages",
                                         .body = R"({"model":"m","max_tokens":1,"messages":[]})"}))
                ->dialect(),
            Dialect::Anthropic);
  EXPECT_EQ(
      (*make_front_call(Dialect::Responses, FrontInput{.path = "/v1/responses",
                                                       .body = R"({"model":"m","input":"x"})"}))
          ->dialect(),
      Dialect::Responses);
  auto none = make_front_call(Dialect::OpenAI, FrontInput{.body = "{}"});
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().code, Errc::NotImplemented);
  auto bad = make_front_call(Dialect::Anthropic, FrontInput{.body = "{\"model\":"});
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, Errc::BadRequest);
}

}  // namespace
}  // namespace fleetgate
