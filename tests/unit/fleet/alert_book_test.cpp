// The alert book: one alert per rule and subject, repeats, silences and Alertmanager's matchers.
#include "fleet/alert_book.h"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace fleetgate
