#include "fleet/alert_book.h"
#include "fleet/alertmanager.h"
#include "fleet/silence_json.h"

#include <gtest/gtest.h>
#include <boost/json/parse.hpp>

namespace fleetgate {
namespace {

using namespace std::chrono_literals;
const FleetTime t0 = FleetTime(std::chrono::hours(490'000));  // 2025-11-24

Matcher matcher(std::string name, std::string value, bool regex, bool equal) {
  auto m = make_matcher(std::move(name), std::move(value), regex, equal);
  EXPECT_TRUE(m) << m.error().message;
  return m ? *m : Matcher{};
}

TEST(AlertBook, OneAlertPerRuleAndSubjectToldOnceThenRepeated) {
  AlertBook book(4h);
  auto first = book.fire("CheckDown", "check/backup", {{"severity", "critical"}}, {}, t0);
  ASSERT_TRUE(first);
  EXPECT_TRUE(first->tell);
  EXPECT_EQ(first->alert.labels.at("alertname"), "CheckDown");
  // The same again is no news.
  EXPECT_FALSE(book.fire("CheckDown", "check/backup", {{"severity", "critical"}}, {}, t0 + 1s));
  EXPECT_TRUE(book.due(t0 + 1h).empty());
  auto repeat = book.due(t0 + 4h);
  ASSERT_EQ(repeat.size(), 1u);
  EXPECT_TRUE(book.due(t0 + 5h).empty());
  EXPECT_EQ(book.next_due(t0 + 5h), t0 + 8h);
  auto end = book.resolve("CheckDown", "check/backup", t0 + 6h);
  ASSERT_TRUE(end);
  EXPECT_TRUE(end->tell);
  EXPECT_EQ(end->alert.ends_at, t0 + 6h);
  EXPECT_FALSE(book.resolve("CheckDown", "check/backup", t0 + 7h));  // nothing firing
}

TEST(AlertBook, SeverityChangeIsToldAgain) {
  AlertBook book(4h);
  ASSERT_TRUE(book.fire("DiskUsedPercent", "node/ai:/", {{"severity", "warning"}}, {}, t0));
  auto worse = book.fire("DiskUsedPercent", "node/ai:/", {{"severity", "critical"}}, {}, t0 + 1min);
  ASSERT_TRUE(worse);
  EXPECT_TRUE(worse->tell);
  EXPECT_EQ(worse->alert.severity(), "critical");
  EXPECT_EQ(worse->alert.starts_at, t0);  // the same alert
  EXPECT_EQ(book.firing().size(), 1u);
}

TEST(AlertBook, SilencesHoldNotificationsUntilTheyEnd) {
  AlertBook book(4h);
  Silence s;
  s.id = "s1";
  s.matchers = {matcher("check", "backup", false, true)};
  s.starts_at = t0;
  s.ends_at = t0 + 1h;
  book.add_silence(s);
  auto fired = book.fire("CheckDown", "check/backup", {{"check", "backup"}}, {}, t0 + 1min);
  ASSERT_TRUE(fired);
  EXPECT_FALSE(fired->tell);
  EXPECT_TRUE(book.due(t0 + 30min).empty());
  EXPECT_EQ(book.next_due(t0 + 30min), t0 + 1h);
  // Once the silence ends, receivers hear of the alert that is still firing.
  EXPECT_EQ(book.due(t0 + 1h).size(), 1u);
  // A resolution of an alert nobody heard of is not told.
  auto quiet = book.fire("CheckDown", "check/other", {{"check", "other"}}, {}, t0 + 2h);
  ASSERT_TRUE(quiet && quiet->tell);
  Silence all{"s2", {matcher("alertname", "Check.*", true, true)}, t0 + 3h, t0 + 9h, "", ""};
  book.add_silence(all);
  auto held = book.fire("CheckDown", "check/third", {{"check", "third"}}, {}, t0 + 4h);
  ASSERT_TRUE(held);
  EXPECT_FALSE(held->tell);
  auto end = book.resolve("CheckDown", "check/third", t0 + 5h);
  ASSERT_TRUE(end);
  EXPECT_FALSE(end->tell);
}

TEST(AlertBook, MatchersFollowAlertmanager) {
  const Labels l{{"alertname", "NodeDown"}, {"node", "ai"}};
  EXPECT_TRUE(matcher("node", "ai", false, true).matches(l));
  EXPECT_FALSE(matcher("node", "ai", false, false).matches(l));
  EXPECT_TRUE(matcher("node", "a.*", true, true).matches(l));
  EXPECT_FALSE(matcher("node", "a", true, true).matches(l));  // anchored
  EXPECT_TRUE(matcher("missing", "", false, true).matches(l));
  EXPECT_TRUE(matcher("node", "ai|gpu[0-9]+", true, true).matches(l));
}

// The review's attacks: a pattern that backtracks for ever under std::regex, and a long label
// that made std::regex recurse until the stack ran out, are both linear in RE2.
TEST(AlertBook, HostileRegexesStayLinearAndAreBounded) {
  const Labels long_label{{"check", std::string(200000, 'a')}};
  const auto started = std::chrono::steady_clock::now();
  EXPECT_FALSE(matcher("check", "(a+)+$b", true, true).matches(long_label));
  EXPECT_TRUE(matcher("check", "(a|aa)*", true, true).matches(long_label));
  EXPECT_TRUE(matcher("check", "(.*)*", true, true).matches(long_label));
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(2));
  EXPECT_FALSE(make_matcher("check", "(unclosed", true, true));
  EXPECT_FALSE(make_matcher("check", std::string(kMaxMatcherValue + 1, 'a'), true, true));
  EXPECT_FALSE(make_matcher(std::string(kMaxMatcherName + 1, 'n'), "x", false, true));
  EXPECT_FALSE(make_matcher("check", "(?<name>x)\\1", true, true));  // no backreferences in RE2
}

TEST(AlertBook, QuietSubjectsHoldAllButTheFlappingAlert) {
  AlertBook book(4h);
  book.set_quiet("node/ai", true);
  auto down = book.fire("NodeDown", "node/ai", {{"severity", "critical"}}, {}, t0);
  ASSERT_TRUE(down);
  EXPECT_FALSE(down->tell);
  auto flap = book.fire("Flapping", "node/ai", {{"severity", "warning"}}, {}, t0);
  ASSERT_TRUE(flap);
  EXPECT_TRUE(flap->tell);
  book.set_quiet("node/ai", false);
  auto due = book.due(t0 + 1s);
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0].rule, "NodeDown");
}

TEST(Alertmanager, WebhookPayloadVersion4) {
  Alert a;
  a.rule = "CheckDown";
  a.subject = "check/backup";
  a.labels = {{"alertname", "CheckDown"}, {"check", "backup"}, {"severity", "critical"}};
  a.annotations = {{"summary", "check backup is DOWN"}};
  a.starts_at = FleetTime(std::chrono::milliseconds(1'795'000'000'250));
  a.fingerprint = fingerprint_of(a.labels);
  const std::string firing = alertmanager_payload(a, "ops", "http://fleet:4000");
  EXPECT_EQ(firing,
            R"({"version":"4","groupKey":"{}:{alertname=\"CheckDown\", check=\"backup\"}",)"
            R"("truncatedAlerts":0,"status":"firing","receiver":"ops",)"
            R"("groupLabels":{"alertname":"CheckDown","check":"backup"},)"
            R"("commonLabels":{"alertname":"CheckDown","check":"backup","severity":"critical"},)"
            R"("commonAnnotations":{"summary":"check backup is DOWN"},)"
            R"("externalURL":"http://fleet:4000","alerts":[{"status":"firing",)"
            R"("labels":{"alertname":"CheckDown","check":"backup","severity":"critical"},)"
            R"("annotations":{"summary":"check backup is DOWN"},)"
            R"("startsAt":"2026-11-18T11:06:40.250Z","endsAt":"0001-01-01T00:00:00Z",)"
            R"("generatorURL":"http://fleet:4000/fleet/v1/alerts","fingerprint":")" +
                a.fingerprint + R"("}]})");
  a.ends_at = a.starts_at + 90s;
  auto resolved = boost::json::parse(alertmanager_payload(a, "ops", ""));
  EXPECT_EQ(resolved.at("status").as_string(), "resolved");
  EXPECT_EQ(resolved.at("alerts").at(0).at("endsAt").as_string(), "2026-11-18T11:08:10.250Z");
  EXPECT_EQ(a.fingerprint.size(), 16u);
  EXPECT_NE(fingerprint_of({{"a", "bc"}}), fingerprint_of({{"ab", "c"}}));
}

}  // namespace
}  // namespace fleetgate

namespace fleetgate {
namespace {

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
