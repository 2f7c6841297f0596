#include "fleet/fleet_monitor.h"
#include "core/wall_time.h"

#include <gtest/gtest.h>
#include <boost/json/parse.hpp>

namespace fleetgate {
namespace {

using namespace std::chrono_literals;
const FleetTime t0 = FleetTime(std::chrono::hours(490'000));

FleetSettings settings() {
  FleetSettings s;
  CheckSpecConfig job;
  job.name = "job";
  job.period = 2s;
  job.grace = 1s;
  job.uuid = "5f1c4a34-8c53-4a0e-9d6b-0a4a1f3c2b7e";
  job.key = "job-ping-key";
  s.checks.push_back(job);
  NodeSpec ai;
  ai.name = "ai";
  ai.period = 30s;
  ai.grace = 30s;
  s.nodes.push_back(ai);
  s.alerts.receivers.push_back({"hook", "http://127.0.0.1:9/", {}, 10s, 0});
  s.alerts.flap_transitions = 4;
  s.alerts.flap_window = 10min;
  return s;
}

std::string status_of(const WriteBatch& b) {
  if (b.outbox.empty()) return "";
  return std::string(boost::json::parse(b.outbox.back().payload).at("status").as_string());
}

PingRequest ping(std::string check, PingKind kind = PingKind::Success, int code = 0) {
  PingRequest p;
  p.check = std::move(check);
  p.kind = kind;
  p.exit_status = code;
  return p;
}

TEST(FleetMonitor, MissedDeadlineFiresOnceAndAPingResolves) {
  FleetMonitor m(settings());
  WriteBatch b;
  ASSERT_TRUE(m.ping(ping("job"), t0, b));
  EXPECT_EQ(b.pings.size(), 1u);
  ASSERT_EQ(b.transitions.size(), 1u);  // new -> up
  EXPECT_TRUE(b.outbox.empty());
  EXPECT_EQ(m.next_wakeup(t0), t0 + 3s);

  WriteBatch early;
  m.tick(t0 + 2999ms, early);
  EXPECT_TRUE(early.transitions.empty());

  WriteBatch late;
  m.tick(t0 + 3s, late);
  ASSERT_EQ(late.transitions.size(), 1u);
  EXPECT_EQ(late.transitions[0].to, "down");
  EXPECT_EQ(late.transitions[0].at_ms, to_ms(t0 + 3s));
  ASSERT_EQ(late.outbox.size(), 1u);  // one receiver, one notification
  EXPECT_EQ(status_of(late), "firing");
  WriteBatch again;
  m.tick(t0 + 10s, again);
  EXPECT_TRUE(again.outbox.empty());  // deduplicated

  WriteBatch back;
  ASSERT_TRUE(m.ping(ping("job"), t0 + 11s, back));
  EXPECT_EQ(status_of(back), "resolved");
  EXPECT_EQ(back.alerts.back().status, "resolved");
}

TEST(FleetMonitor, FailAndExitStatus) {
  FleetMonitor m(settings());
  WriteBatch b;
  m.ping(ping("job", PingKind::ExitStatus, 0), t0, b);
  m.ping(ping("job", PingKind::ExitStatus, 3), t0 + 1s, b);
  ASSERT_EQ(b.transitions.size(), 2u);
  EXPECT_EQ(b.transitions[1].reason, "exit status 3");
  EXPECT_EQ(status_of(b), "firing");
  WriteBatch log;
  m.ping(ping("job", PingKind::Log), t0 + 2s, log);
  EXPECT_TRUE(log.transitions.empty());
  EXPECT_EQ(log.pings.at(0).kind, "log");
}

TEST(FleetMonitor, UnknownChecksAreRefusedUnlessAutoCreated) {
  auto s = settings();
  FleetMonitor strict(s);
  WriteBatch b;
  EXPECT_FALSE(strict.ping(ping("nope"), t0, b));
  EXPECT_TRUE(b.empty());
  s.auto_create_checks = true;
  s.default_period = 1h;
  s.default_grace = 5min;
  FleetMonitor lax(s);
  EXPECT_TRUE(lax.ping(ping("new-job"), t0, b));
  EXPECT_EQ(lax.next_wakeup(t0), t0 + 65min);
}

TEST(FleetMonitor, SecretsOfPingUrls) {
  FleetMonitor m(settings());
  EXPECT_EQ(m.check_by_uuid("5F1C4A34-8C53-4A0E-9D6B-0A4A1F3C2B7E"), "job");
  EXPECT_FALSE(m.check_by_uuid("00000000-0000-0000-0000-000000000000"));
  EXPECT_TRUE(m.check_key_matches("job", "job-ping-key"));
  EXPECT_FALSE(m.check_key_matches("job", "job-ping-kez"));
  EXPECT_FALSE(m.check_key_matches("nope", "job-ping-key"));
}

TEST(FleetMonitor, StartWithoutSuccessWithinMaxRuntimeIsDown) {
  auto s = settings();
  s.checks[0].max_runtime = 10s;
  FleetMonitor m(s);
  WriteBatch b;
  m.ping(ping("job", PingKind::Start), t0, b);
  EXPECT_EQ(m.next_wakeup(t0), t0 + 10s);
  m.tick(t0 + 10s, b);
  ASSERT_FALSE(b.transitions.empty());
  EXPECT_EQ(b.transitions.back().reason, "run took over 10s");
}

Heartbeat heartbeat(double disk_used_percent, std::vector<ProcessFigures> procs = {}) {
  Heartbeat hb;
  hb.node = "ai";
  hb.disks.push_back({"/", 100, disk_used_percent});
  hb.processes = std::move(procs);
  return hb;
}

TEST(FleetMonitor, DiskThresholdsWithHysteresis) {
  FleetMonitor m(settings());  // defaults: warn 80, critical 90, clear below 78
  auto step = [&](double value, int second) {
    WriteBatch b;
    m.heartbeat(heartbeat(value), "{}", t0 + std::chrono::seconds(second), b);
    return b;
  };
  EXPECT_TRUE(step(70, 0).outbox.empty());
  auto warn = step(81, 1);
  ASSERT_EQ(warn.outbox.size(), 1u);
  EXPECT_NE(warn.outbox[0].payload.find("\"severity\":\"warning\""), std::string::npos);
  EXPECT_NE(warn.outbox[0].payload.find("\"instance\":\"/\""), std::string::npos);
  EXPECT_TRUE(step(79, 2).outbox.empty());  // between clear and warning: still warning
  auto crit = step(95, 3);
  ASSERT_EQ(crit.outbox.size(), 1u);
  EXPECT_NE(crit.outbox[0].payload.find("\"severity\":\"critical\""), std::string::npos);
  auto eased = step(85, 4);  // critical eases to warning: the same alert, told again
  ASSERT_EQ(eased.outbox.size(), 1u);
  EXPECT_EQ(status_of(eased), "firing");
  EXPECT_TRUE(step(78, 5).outbox.empty());
  EXPECT_EQ(status_of(step(77.9, 6)), "resolved");
  EXPECT_EQ(m.alerts().firing().size(), 0u);
}

TEST(FleetMonitor, NodeDeadlineAndAnnouncedPeriod) {
  FleetMonitor m(settings());
  WriteBatch b;
  m.heartbeat(heartbeat(10), "{}", t0, b);
  EXPECT_EQ(m.next_wakeup(t0), t0 + 60s);
  Heartbeat other;
  other.node = "laptop";  // not in the config: judged by the period it announces
  other.period = 10s;
  m.heartbeat(other, "{}", t0, b);
  EXPECT_EQ(m.next_wakeup(t0), t0 + 40s);  // 10 s + the default grace of 30 s
  WriteBatch late;
  m.tick(t0 + 40s, late);
  ASSERT_EQ(late.transitions.size(), 1u);
  EXPECT_EQ(late.transitions[0].name, "laptop");
  EXPECT_NE(late.outbox.at(0).payload.find("NodeDown"), std::string::npos);
}

TEST(FleetMonitor, ProcessRespawnedByTheAgentIsAnAutomaticRecovery) {
  FleetMonitor m(settings());
  WriteBatch b;
  m.heartbeat(heartbeat(10, {{"agent", "running", 1, 0, {}}}), "{}", t0, b);
  WriteBatch died;
  m.heartbeat(heartbeat(10, {{"agent", "backoff", {}, 0, 1}}), "{}", t0 + 30s, died);
  ASSERT_EQ(died.transitions.size(), 1u);
  EXPECT_EQ(died.transitions[0].to, "down");
  EXPECT_NE(died.outbox.at(0).payload.find("\"process\":\"agent\""), std::string::npos);
  WriteBatch back;
  m.heartbeat(heartbeat(10, {{"agent", "running", 2, 1, {}}}), "{}", t0 + 60s, back);
  ASSERT_EQ(back.transitions.size(), 1u);
  EXPECT_TRUE(back.transitions[0].automatic);
  EXPECT_EQ(back.transitions[0].reason, "respawned by the agent (restart 1)");
  // Killed and respawned between two heartbeats: recorded, not paged.
  WriteBatch quick;
  m.heartbeat(heartbeat(10, {{"agent", "running", 3, 2, {}}}), "{}", t0 + 90s, quick);
  ASSERT_EQ(quick.transitions.size(), 2u);
  EXPECT_EQ(quick.transitions[0].to, "down");
  EXPECT_TRUE(quick.transitions[1].automatic);
  EXPECT_EQ(quick.transitions[0].at_ms, quick.transitions[1].at_ms);
  EXPECT_TRUE(quick.outbox.empty());
}

TEST(FleetMonitor, ModelDriftIsAWarningThatResolvesWhenTheListingMatches) {
  FleetMonitor m(settings());
  WriteBatch b;
  m.backend("fast#1", true, "GET /health: 200", std::nullopt, t0, b);
  WriteBatch drift;
  const ModelDriftReport report{"qwen2.5-7b", {"llama-3.1.gguf", "other"}, false};
  m.backend("fast#1", true, "GET /health: 200; does not list qwen2.5-7b (still routed to it)",
            report, t0 + 1s, drift);
  ASSERT_EQ(drift.outbox.size(), 1u);
  const auto p = boost::json::parse(drift.outbox[0].payload);
  EXPECT_EQ(p.at("status"), "firing");
  const auto& labels = p.at("alerts").at(0).at("labels");
  EXPECT_EQ(labels.at("alertname"), "ModelDrift");
  EXPECT_EQ(labels.at("severity"), "warning");
  EXPECT_EQ(labels.at("deployment"), "fast#1");
  EXPECT_EQ(labels.at("declared_model"), "qwen2.5-7b");
  EXPECT_EQ(labels.at("listed_models"), "llama-3.1.gguf,other");
  EXPECT_NE(m.subjects().back().reason.find("still routed"), std::string::npos);
  EXPECT_EQ(m.subjects().back().state.health(), Health::Up);  // a drift is no outage
  WriteBatch again;                                           // polled every second: no repeat
  m.backend("fast#1", true, "same", report, t0 + 2s, again);
  EXPECT_TRUE(again.outbox.empty());
  WriteBatch fixed;
  m.backend("fast#1", true, "GET /health: 200", std::nullopt, t0 + 3s, fixed);
  EXPECT_EQ(status_of(fixed), "resolved");
}

TEST(FleetMonitor, FlappingSubjectIsNotifiedOnceThenSettles) {
  FleetMonitor m(settings());
  WriteBatch b;
  m.backend("qwen#1", true, "ok", std::nullopt, t0, b);
  int firing = 0, flapping = 0;
  for (int i = 1; i <= 10; ++i) {
    WriteBatch step;
    m.backend("qwen#1", i % 2 == 0, i % 2 ? "GET /health: 503" : "ok", std::nullopt, t0 + i * 10s,
              step);
    for (const auto& o : step.outbox) {
      if (o.payload.find("\"alertname\":\"Flapping\"") != std::string::npos)
        ++flapping;
      else if (o.payload.find("\"status\":\"firing\"") != std::string::npos)
        ++firing;
    }
  }
  EXPECT_EQ(flapping, 1);
  EXPECT_LE(firing, 3);  // told before it was seen flapping, then held
  const auto& subjects = m.subjects();
  auto it = std::find_if(subjects.begin(), subjects.end(),
                         [](const Subject& s) { return s.name == "qwen#1"; });
  ASSERT_NE(it, subjects.end());
  EXPECT_TRUE(it->flap.flapping());
  // Ten quiet minutes later it has settled: the Flapping alert resolves.
  WriteBatch calm;
  m.tick(t0 + 100s + 10min, calm);
  bool resolved = false;
  for (const auto& o : calm.outbox)
    resolved |= o.payload.find("\"alertname\":\"Flapping\"") != std::string::npos &&
                o.payload.find("\"status\":\"resolved\"") != std::string::npos;
  EXPECT_TRUE(resolved);
}

TEST(FleetMonitor, RestoredStateKeepsDeadlinesThatPassedWhileStopped) {
  FleetMonitor m(settings());
  SubjectRow row{"check", "job", "up", "ping", to_ms(t0), to_ms(t0), 0, false, ""};
  WriteBatch b;
  m.restore({row}, {}, {}, b);
  ASSERT_EQ(b.subjects.size(), 1u);  // the declared node the store did not know yet
  EXPECT_EQ(b.subjects[0].name, "ai");
  m.tick(t0 + 1h, b);  // the server was down for an hour
  ASSERT_EQ(b.transitions.size(), 1u);
  EXPECT_EQ(b.transitions[0].at_ms, to_ms(t0 + 3s));  // when it was due, not when noticed
  // An alert that was firing before the restart is not told again.
  FleetMonitor m2(settings());
  SubjectRow down{"check", "job", "down", "no ping", to_ms(t0), to_ms(t0), 0, false, ""};
  AlertRow open{"f",         "CheckDown",
                "check/job", "critical",
                "firing",    R"({"alertname":"CheckDown","check":"job","severity":"critical"})",
                "{}",        to_ms(t0),
                0,           to_ms(t0)};
  WriteBatch rows;
  m2.restore({down}, {open}, {}, rows);
  WriteBatch none;
  m2.tick(t0 + 1min, none);
  EXPECT_TRUE(none.outbox.empty());
  WriteBatch up;
  m2.ping(ping("job"), t0 + 2min, up);
  EXPECT_EQ(status_of(up), "resolved");
}

// A stored record that cannot be used (a silence whose regex does not compile, a subject
// named before names were checked) is left out and reported, never a crash at every start.
TEST(FleetMonitor, RecordsThatCannotBeRestoredAreLeftOutAndReported) {
  auto s = settings();
  s.auto_create_checks = true;
  FleetMonitor m(s);
  const std::vector<SubjectRow> subjects = {
      {"check", "job", "up", "ping", to_ms(t0), to_ms(t0), 0, false, ""},
      {"check", "bad\xff name", "up", "ping", to_ms(t0), to_ms(t0), 0, false, ""},
      {"process", "ai/../x", "up", "running", to_ms(t0), to_ms(t0), 0, false, ""}};
  const std::vector<SilenceRow> silences = {
      {"good", R"([{"name":"check","value":"job","isRegex":false,"isEqual":true}])", "", "",
       to_ms(t0), to_ms(t0 + 1h)},
      {"broken", R"([{"name":"check","value":"(a","isRegex":true,"isEqual":true}])", "", "",
       to_ms(t0), to_ms(t0 + 1h)},
      {"huge", R"([{"name":"check","value":")" + std::string(5000, 'a') + R"(","isRegex":true}])",
       "", "", to_ms(t0), to_ms(t0 + 1h)},
      {"empty", "[]", "", "", to_ms(t0), to_ms(t0 + 1h)}};
  WriteBatch b;
  const auto skipped = m.restore(subjects, {}, silences, b);
  ASSERT_EQ(skipped.size(), 5u);
  EXPECT_NE(skipped[0].find("not a valid name"), std::string::npos);
  EXPECT_NE(skipped[2].find("silence broken: Matcher 'check': bad regex"), std::string::npos);
  EXPECT_NE(skipped[3].find("longer than 1024"), std::string::npos);
  ASSERT_EQ(m.alerts().silences().size(), 1u);
  EXPECT_EQ(m.alerts().silences()[0].id, "good");
  for (const auto& subject : m.subjects()) EXPECT_NE(subject.name, "bad\xff name");
}

TEST(FleetMonitor, OnlySlugsAreAutoCreatedChecks) {
  auto s = settings();
  s.auto_create_checks = true;
  FleetMonitor m(s);
  WriteBatch b;
  EXPECT_FALSE(m.ping(ping("name\xff\x1b[2J"), t0, b));
  EXPECT_FALSE(m.ping(ping("Upper"), t0, b));
  EXPECT_TRUE(m.ping(ping("nightly-backup"), t0, b));
}

TEST(FleetMonitor, TenThousandDeadlinesOnlyTheDueOnesFire) {
  auto s = settings();
  s.checks.clear();
  for (int i = 0; i < 10000; ++i) {
    CheckSpecConfig c;
    c.name = "c" + std::to_string(i);
    c.period = 10s;
    c.grace = 1s;
    s.checks.push_back(c);
  }
  FleetMonitor m(s);
  WriteBatch b;
  for (int i = 0; i < 10000; ++i)
    m.ping(ping("c" + std::to_string(i)), t0 + std::chrono::milliseconds(i), b);
  // Re-ping all but 1 % a period later; the rest miss their deadline.
  for (int i = 0; i < 10000; ++i)
    if (i % 100) m.ping(ping("c" + std::to_string(i)), t0 + 10s + std::chrono::milliseconds(i), b);
  WriteBatch due;
  m.tick(t0 + 11s + 10s, due);
  EXPECT_EQ(due.transitions.size(), 100u);
  EXPECT_EQ(m.next_wakeup(t0), t0 + 21s + 1ms);  // the next one, exactly
}

}  // namespace
}  // namespace fleetgate
