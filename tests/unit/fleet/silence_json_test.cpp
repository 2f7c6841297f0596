// Silences as Alertmanager's API takes them, and the bodies it refuses.
#include "fleet/silence_json.h"

#include <gtest/gtest.h>

namespace fleetgate {
namespace {

using namespace std::chrono_literals;

TEST(SilenceJson, ReadsAlertmanagersBodyAndRefusesBadOnes) {
  const FleetTime now = FleetTime(std::chrono::hours(490'000));
  auto s =
      parse_silence(R"({"matchers":[{"name":"node","value":"a.*","isRegex":true,"isEqual":true}],)"
                    R"("endsAt":"2099-01-01T00:00:00Z","createdBy":"ops","comment":"swap disk"})",
                    "id-1", now);
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_EQ(s->starts_at, now);
  EXPECT_TRUE(s->matches({{"node", "ai"}}));
  EXPECT_EQ(parse_matchers(matchers_json(s->matchers))->size(), 1u);
  EXPECT_FALSE(parse_matchers(R"([{"name":"check","value":"(bad","isRegex":true}])"));
  auto error = [&](const char* body) {
    auto r = parse_silence(body, "x", now);
    return r ? std::string("accepted") : r.error().message;
  };
  EXPECT_EQ(error("[]"), "The body must be a JSON object.");
  EXPECT_EQ(error(R"({"matchers":[{"name":"a","value":"b"}]})"),
            "'endsAt' (an RFC 3339 time) is required.");
  EXPECT_EQ(error(R"({"matchers":[{"name":"a","value":"b"}],"endsAt":"tomorrow"})"),
            "'endsAt' must be an RFC 3339 time.");
  EXPECT_EQ(error(R"({"matchers":[{"name":"a","value":"b"}],"endsAt":"2000-01-01T00:00:00Z"})"),
            "'endsAt' must be later than startsAt and now.");
  EXPECT_EQ(error(R"({"matchers":[],"endsAt":"2099-01-01T00:00:00Z"})"),
            "'matchers' must be a non-empty list.");
  EXPECT_EQ(error(R"({"matchers":[{"value":"b"}],"endsAt":"2099-01-01T00:00:00Z"})"),
            "Each matcher needs a 'name' and a 'value'.");
  EXPECT_EQ(error(R"({"matchers":[{"name":"a","value":"(","isRegex":true}],)"
                  R"("endsAt":"2099-01-01T00:00:00Z"})"),
            "Matcher 'a': bad regex (missing ): ().");
  EXPECT_EQ(error(R"({"matchers":[{"name":"a","value":"b","isRegex":"yes"}],)"
                  R"("endsAt":"2099-01-01T00:00:00Z"})"),
            "Matcher: 'isRegex' must be true or false.");
}

}  // namespace
}  // namespace fleetgate
