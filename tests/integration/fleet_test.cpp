// The fleet watch end to end: `fleetgate serve` with checks, nodes and receivers, real pings
// and heartbeats over loopback, and a loopback webhook receiver.
#include "support/fleet.h"
#include "support/http_client.h"
#include "support/tls_terminator.h"
#include "support/webhook_receiver.h"

#include <gtest/gtest.h>
#include <boost/json/parse.hpp>

#include <csignal>
#include <fstream>
#include <sstream>
#include <thread>

namespace fleetgate::test {
namespace {

using namespace std::chrono_literals;
namespace json = boost::json;
using Clock = std::chrono::steady_clock;

std::string fleet_config(std::uint16_t receiver_port, const std::string& extra = "") {
  return "model_list: []\nfleet:\n"
         "  token: fleet-token-123\n"
         "  checks:\n"
         "    - {name: job, period: 2s, grace: 1s, uuid: 5f1c4a34-8c53-4a0e-9d6b-0a4a1f3c2b7e,"
         " key: job-key-123}\n"
         "    - {name: other, period: 1h, grace: 1h}\n"
         "  alerts:\n"
         "    retry_max: 1s\n"
         "    receivers:\n"
         "      - name: hook\n"
         "        webhook: http://127.0.0.1:" +
         std::to_string(receiver_port) + "/hook\n" + extra;
}

json::value payload(const WebhookReceiver::Hit& h) { return json::parse(h.body); }
std::string status(const WebhookReceiver::Hit& h) {
  return std::string(payload(h).at("status").as_string());
}

const std::map<std::string, std::string> kAuth = {{"authorization", "Bearer fleet-token-123"}};

// End to end: a real webhook. When it fires and that it fires once are the fleet service's own
// tests, on a manual clock (tests/unit/fleet/fleet_service_test.cpp); here only bounds wide
// enough for a loaded machine.
TEST(Fleet, AMissedPingReachesTheWebhookAndAPingResolvesIt) {
  WebhookReceiver receiver;
  auto g = start_gateway(fleet_config(receiver.port()));
  const auto pinged = Clock::now();
  auto r = http_request(g.port, "GET", "/ping/job");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.body, "OK");
  auto hits = receiver.wait_for(1, 10s);
  ASSERT_EQ(hits.size(), 1u) << g.process->output();
  EXPECT_GE(hits[0].at - pinged, 3s - 50ms);  // not before period + grace
  EXPECT_EQ(hits[0].target, "/hook");
  auto p = payload(hits[0]);
  EXPECT_EQ(p.at("version").as_string(), "4");
  EXPECT_EQ(p.at("status").as_string(), "firing");
  EXPECT_EQ(p.at("receiver").as_string(), "hook");
  EXPECT_EQ(p.at("alerts").at(0).at("labels").at("alertname").as_string(), "CheckDown");
  EXPECT_EQ(p.at("alerts").at(0).at("labels").at("check").as_string(), "job");
  EXPECT_EQ(p.at("alerts").at(0).at("endsAt").as_string(), "0001-01-01T00:00:00Z");
  ASSERT_EQ(http_request(g.port, "POST", "/ping/job", "backup done").status, 200);
  hits = receiver.wait_for(2, 10s);
  ASSERT_EQ(hits.size(), 2u);
  EXPECT_EQ(status(hits[1]), "resolved");
  EXPECT_EQ(payload(hits[1]).at("alerts").at(0).at("fingerprint"),
            p.at("alerts").at(0).at("fingerprint"));
}

TEST(Fleet, AReceiverThatIsDownAtFirstGetsTheNotificationLater) {
  const auto port = reserve_port();
  auto g = start_gateway(fleet_config(port));
  ASSERT_EQ(http_request(g.port, "GET", "/ping/job").status, 200);
  ASSERT_TRUE(g.process->wait_for("notification 1 to hook failed", 6s)) << g.process->output();
  WebhookReceiver receiver(port);
  auto hits = receiver.wait_for(1, 5s);
  ASSERT_EQ(hits.size(), 1u) << g.process->output();
  EXPECT_EQ(status(hits[0]), "firing");
}

TEST(Fleet, KillNineBetweenPingAndNotificationLosesNothing) {
  const auto port = reserve_port();
  const auto config = write_config(fleet_config(port));
  const auto data = config + ".db";
  auto g = start_gateway_from(config, data);
  ASSERT_EQ(http_request(g.port, "GET", "/ping/job").status, 200);
  // The check goes down; its notification waits in the outbox (the receiver is down).
  ASSERT_TRUE(g.process->wait_for("notification 1 to hook failed", 6s)) << g.process->output();
  // A ping is acknowledged, then the server dies before it could tell anyone.
  ASSERT_EQ(http_request(g.port, "GET", "/ping/job").status, 200);
  ASSERT_EQ(http_request(g.port, "POST", "/ping/other", "acknowledged").status, 200);
  g.process->stop(SIGKILL);

  WebhookReceiver receiver(port);
  auto again = start_gateway_from(config, data);
  auto hits = receiver.wait_for(2, 6s);
  ASSERT_EQ(hits.size(), 2u) << again.process->output();
  EXPECT_EQ(status(hits[0]), "firing");
  EXPECT_EQ(status(hits[1]), "resolved");
  auto st = http_request(again.port, "GET", "/fleet/v1/status", "", kAuth);
  ASSERT_EQ(st.status, 200);
  bool other_up = false;
  const auto parsed = json::parse(st.body);
  for (const auto& s : parsed.at("subjects").as_array())
    if (s.at("name") == "other") other_up = s.at("state") == "up";
  EXPECT_TRUE(other_up) << st.body;
}

TEST(Fleet, PingUrlsAsHealthchecksIo) {
  WebhookReceiver receiver;
  auto g = start_gateway(fleet_config(receiver.port()));
  EXPECT_EQ(http_request(g.port, "GET", "/ping/5f1c4a34-8c53-4a0e-9d6b-0a4a1f3c2b7e").status, 200);
  EXPECT_EQ(http_request(g.port, "POST", "/ping/job-key-123/job/start").status, 200);
  EXPECT_EQ(http_request(g.port, "GET", "/ping/job/0").status, 200);  // loopback: slug alone
  auto wrong = http_request(g.port, "GET", "/ping/wrong-key-1/job");
  EXPECT_EQ(wrong.status, 404);
  EXPECT_EQ(wrong.body, "not found");
  EXPECT_EQ(http_request(g.port, "GET", "/ping/unknown").status, 404);
  EXPECT_EQ(http_request(g.port, "GET", "/ping/00000000-0000-0000-0000-000000000000").status, 404);
  EXPECT_EQ(http_request(g.port, "GET", "/ping/5f1c4a34-8c53-4a0e-9d6b-0a4a1f3c2b7e/999").status,
            400);
  EXPECT_EQ(http_request(g.port, "GET", "/ping/job/999").status, 404);
  EXPECT_EQ(http_request(g.port, "PUT", "/ping/job").status, 405);
  // A failure is DOWN at once.
  EXPECT_EQ(http_request(g.port, "GET", "/ping/job/fail").status, 200);
  auto hits = receiver.wait_for(1, 2s);
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_NE(payload(hits[0])
                .at("alerts")
                .at(0)
                .at("annotations")
                .at("description")
                .as_string()
                .find("fail"),
            std::string::npos);
  // Secrets stay out of the access log.
  EXPECT_EQ(g.process->output().find("job-key-123"), std::string::npos);
  EXPECT_EQ(g.process->output().find("5f1c4a34"), std::string::npos);
}

TEST(Fleet, UnknownChecksAreCreatedWhenAllowed) {
  auto g = start_gateway(fleet_config(reserve_port(), "  auto_create_checks: true\n"));
  auto created = http_request(g.port, "GET", "/ping/brand-new");
  EXPECT_EQ(created.status, 201);
  EXPECT_EQ(created.body, "Created");
  EXPECT_EQ(http_request(g.port, "GET", "/ping/brand-new").status, 200);
}

TEST(Fleet, HeartbeatsNeedTheTokenAndRaiseThresholdAlerts) {
  WebhookReceiver receiver;
  auto g = start_gateway(fleet_config(receiver.port()));
  const std::string hb = R"({"node":"east","agent_version":"0.1.0","period_s":30,)"
                         R"("disks":[{"mount":"/","total_bytes":1000,"used_bytes":970}]})";
  auto denied = http_request(g.port, "POST", "/fleet/v1/heartbeat", hb);
  EXPECT_EQ(denied.status, 401);
  EXPECT_NE(denied.body.find("\"error\""), std::string::npos);
  auto bad = http_request(g.port, "POST", "/fleet/v1/heartbeat", "{\"cpu\":1}", kAuth);
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(bad.body.find("'node' is required"), std::string::npos);
  auto ok = http_request(g.port, "POST", "/fleet/v1/heartbeat", hb, kAuth);
  ASSERT_EQ(ok.status, 200) << ok.body;
  auto hits = receiver.wait_for(1, 3s);
  ASSERT_EQ(hits.size(), 1u);
  auto labels = payload(hits[0]).at("alerts").at(0).at("labels");
  EXPECT_EQ(labels.at("alertname").as_string(), "DiskUsedPercent");
  EXPECT_EQ(labels.at("severity").as_string(), "critical");
  EXPECT_EQ(labels.at("node").as_string(), "east");
  auto st = http_request(g.port, "GET", "/fleet/v1/status", "", kAuth);
  EXPECT_NE(st.body.find("\"name\":\"east\",\"state\":\"up\""), std::string::npos) << st.body;
}

TEST(Fleet, SilencedAlertsAreNotSent) {
  WebhookReceiver receiver;
  auto g = start_gateway(fleet_config(receiver.port()));
  auto bad = http_request(g.port, "POST", "/fleet/v1/silences", R"({"matchers":[]})", kAuth);
  EXPECT_EQ(bad.status, 400);
  const std::string silence =
      R"({"matchers":[{"name":"check","value":"job","isRegex":false,"isEqual":true}],)"
      R"("endsAt":"2099-01-01T00:00:00Z","createdBy":"ops","comment":"maintenance"})";
  auto made = http_request(g.port, "POST", "/fleet/v1/silences", silence, kAuth);
  ASSERT_EQ(made.status, 200) << made.body;
  EXPECT_NE(made.body.find("silenceID"), std::string::npos);
  ASSERT_EQ(http_request(g.port, "GET", "/ping/job").status, 200);
  // The whole 4.5 s: the check goes down after 2 s, and its alert must not be sent. Only an
  // alert counts (a stray POST from another test's process once made this fail at once).
  for (const auto& hit : receiver.wait_for(1000, 4500ms))
    EXPECT_EQ(hit.body.find("CheckDown"), std::string::npos) << hit.body;
  auto alerts = http_request(g.port, "GET", "/fleet/v1/alerts", "", kAuth);
  EXPECT_NE(alerts.body.find("CheckDown"), std::string::npos);  // firing, just not sent
  auto listed = http_request(g.port, "GET", "/fleet/v1/silences", "", kAuth);
  EXPECT_NE(listed.body.find("\"state\":\"active\""), std::string::npos);
}

TEST(Fleet, ExecNotifierGetsThePayloadOnStdin) {
  const std::string out = write_config("") + ".alert.json";
  auto g = start_gateway(
      "model_list: []\nfleet:\n  checks:\n    - {name: job, period: 1s, grace: 1s}\n"
      "  alerts:\n    receivers:\n      - name: script\n        exec: [sh, -c, 'cat > " +
      out + "']\n");
  ASSERT_EQ(http_request(g.port, "GET", "/ping/job").status, 200);
  ASSERT_TRUE(g.process->wait_for("notification 1 delivered to script", 5s)) << g.process->output();
  std::ifstream in(out);
  std::stringstream s;
  s << in.rdbuf();
  auto p = json::parse(s.str());
  EXPECT_EQ(p.at("receiver").as_string(), "script");
  EXPECT_EQ(p.at("status").as_string(), "firing");
}

TEST(Fleet, MetricsInPrometheusFormat) {
  auto sim = start_sim({"--models", "m"});
  auto g = start_gateway("model_list:\n" + deployment("m", "openai/m", sim.port) +
                         "fleet:\n  checks:\n    - {name: job, period: 1h, grace: 1h}\n");
  ASSERT_EQ(http_request(g.port, "POST", "/v1/chat/completions",
                         R"({"model":"m","messages":[{"role":"user","content":"hi"}]})")
                .status,
            200);
  ASSERT_EQ(http_request(g.port, "GET", "/ping/job").status, 200);
  auto m = http_request(g.port, "GET", "/metrics");
  ASSERT_EQ(m.status, 200);
  EXPECT_EQ(m.headers["content-type"], "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_NE(m.body.find("fleetgate_requests_total{model=\"m\",deployment=\"m#1\",code=\"200\"} 1"),
            std::string::npos)
      << m.body;
  EXPECT_NE(
      m.body.find("fleetgate_request_duration_seconds_count{model=\"m\",deployment=\"m#1\"} 1"),
      std::string::npos);
  EXPECT_NE(m.body.find("fleetgate_time_to_first_byte_seconds_bucket"), std::string::npos);
  EXPECT_NE(
      m.body.find("fleetgate_tokens_total{model=\"m\",deployment=\"m#1\",type=\"completion\"}"),
      std::string::npos);
  EXPECT_NE(m.body.find("fleetgate_backend_healthy{model=\"m\",deployment=\"m#1\"} 1"),
            std::string::npos);
  EXPECT_NE(m.body.find("fleetgate_subject_up{kind=\"check\",name=\"job\"} 1"), std::string::npos);
  EXPECT_NE(m.body.find("fleetgate_notifications_pending 0"), std::string::npos);
}

TEST(Fleet, StatusReportAndBackupCommands) {
  const auto config = write_config(fleet_config(reserve_port()));
  const auto data = config + ".db";
  auto g = start_gateway_from(config, data);
  ASSERT_EQ(http_request(g.port, "GET", "/ping/other").status, 200);
  ChildProcess status({FLEETGATE_BINARY, "status", "--url",
                       "http://127.0.0.1:" + std::to_string(g.port), "--token", "fleet-token-123"});
  ASSERT_EQ(status.wait_exit(10s), 0) << status.output();
  EXPECT_NE(status.output().find("check  other  UP"), std::string::npos) << status.output();
  ChildProcess denied({FLEETGATE_BINARY, "status", "--url",
                       "http://127.0.0.1:" + std::to_string(g.port), "--token", "wrong-token"});
  EXPECT_EQ(denied.wait_exit(10s), 1);
  EXPECT_NE(denied.output().find("401"), std::string::npos);

  const auto copy = data + ".backup";
  ChildProcess backup({FLEETGATE_BINARY, "backup", "--data", data, "--output", copy});
  ASSERT_EQ(backup.wait_exit(10s), 0) << backup.output();
  ChildProcess report({FLEETGATE_BINARY, "report", "--config", config, "--data", copy, "--json"});
  ASSERT_EQ(report.wait_exit(10s), 0) << report.output();
  const auto text = report.output();
  auto snap = json::parse(text.substr(text.find('{')));
  bool found = false;
  for (const auto& s : snap.at("subjects").as_array())
    found |= s.at("name") == "other" && s.at("state") == "up";
  EXPECT_TRUE(found) << text;
  ChildProcess again({FLEETGATE_BINARY, "backup", "--data", data, "--output", copy});
  EXPECT_EQ(again.wait_exit(10s), 2);  // never overwrites
  ChildProcess missing({FLEETGATE_BINARY, "report", "--data", "/nonexistent/x.db"});
  EXPECT_EQ(missing.wait_exit(10s), 1);
  EXPECT_NE(missing.output().find("no such store"), std::string::npos);
}

}  // namespace
}  // namespace fleetgate::test

namespace fleetgate::test {
namespace {

TEST(Fleet, ApiErrorsAreOpenAiStyleJson) {
  auto g = start_gateway(fleet_config(reserve_port()));
  auto wrong_method = http_request(g.port, "POST", "/fleet/v1/status", "", kAuth);
  EXPECT_EQ(wrong_method.status, 405);
  EXPECT_NE(wrong_method.body.find("Use GET for /fleet/v1/status."), std::string::npos);
  EXPECT_EQ(http_request(g.port, "GET", "/fleet/v1/nothing", "", kAuth).status, 404);
  EXPECT_EQ(http_request(g.port, "POST", "/metrics").status, 405);
  EXPECT_EQ(http_request(g.port, "GET", "/fleet/v1/heartbeat", "", kAuth).status, 405);
  auto bad_silence = http_request(g.port, "POST", "/fleet/v1/silences",
                                  R"({"matchers":[{"name":"a","value":"("}],"endsAt":"x"})", kAuth);
  EXPECT_EQ(bad_silence.status, 400);
  EXPECT_NE(bad_silence.body.find("'endsAt' must be an RFC 3339 time."), std::string::npos);
  auto unknown = http_request(g.port, "DELETE", "/fleet/v1/silences/nope", "", kAuth);
  EXPECT_EQ(unknown.status, 404);
  EXPECT_NE(unknown.body.find("No silence with id 'nope'"), std::string::npos);
  auto made = http_request(g.port, "POST", "/fleet/v1/silences",
                           R"({"matchers":[{"name":"check","value":"job"}],)"
                           R"("endsAt":"2099-01-01T00:00:00Z"})",
                           kAuth);
  ASSERT_EQ(made.status, 200);
  const auto id = std::string(json::parse(made.body).at("silenceID").as_string());
  EXPECT_EQ(http_request(g.port, "DELETE", "/fleet/v1/silences/" + id, "", kAuth).status, 200);
  auto listed = http_request(g.port, "GET", "/fleet/v1/silences", "", kAuth);
  EXPECT_EQ(listed.body.find("\"state\":\"active\""), std::string::npos) << listed.body;
}

TEST(Fleet, CommandMisuseExitsNonZero) {
  const std::string bad = write_config("{\"uptime_30d\": \"high\"}");
  ChildProcess snapshot({FLEETGATE_BINARY, "report", "--snapshot", bad});
  EXPECT_EQ(snapshot.wait_exit(10s), 2);
  EXPECT_NE(snapshot.output().find("'uptime_30d' must be a number or null"), std::string::npos)
      << snapshot.output();
  ChildProcess missing({FLEETGATE_BINARY, "report", "--snapshot", "/nonexistent/s.json"});
  EXPECT_EQ(missing.wait_exit(10s), 2);
  ChildProcess url({FLEETGATE_BINARY, "status", "--url", "ftp://127.0.0.1:1"});
  EXPECT_EQ(url.wait_exit(10s), 2);
  ChildProcess down(
      {FLEETGATE_BINARY, "status", "--url", "http://127.0.0.1:" + std::to_string(reserve_port())});
  EXPECT_EQ(down.wait_exit(15s), 1);
  EXPECT_NE(down.output().find("connecting to 127.0.0.1"), std::string::npos) << down.output();
}

}  // namespace
}  // namespace fleetgate::test

namespace fleetgate::test {
namespace {

// https receivers: the certificate is verified (SSL_CERT_FILE stands in for an internal CA).
TEST(Fleet, HttpsWebhookIsVerifiedAndDelivered) {
  char dir_template[] = "/tmp/fleetgate-hook-tls-XXXXXX";
  ASSERT_NE(::mkdtemp(dir_template), nullptr);
  std::string cert, key;
  ASSERT_TRUE(make_self_signed_cert(dir_template, cert, key));
  WebhookReceiver receiver;
  TlsTerminator tls(cert, key, receiver.port());
  const std::string config =
      "model_list: []\nfleet:\n  checks:\n    - {name: job, period: 1s, grace: 1s}\n"
      "  alerts:\n    retry_max: 1s\n    receivers:\n      - name: secure\n"
      "        webhook: https://localhost:" +
      std::to_string(tls.port()) + "/hook\n";
  ::setenv("SSL_CERT_FILE", "/nonexistent.pem", 1);
  auto untrusting = start_gateway(config);
  ::setenv("SSL_CERT_FILE", cert.c_str(), 1);
  auto trusting = start_gateway(config);
  ::unsetenv("SSL_CERT_FILE");
  ASSERT_EQ(http_request(untrusting.port, "GET", "/ping/job").status, 200);
  ASSERT_EQ(http_request(trusting.port, "GET", "/ping/job").status, 200);
  auto hits = receiver.wait_for(1, 5s);
  ASSERT_EQ(hits.size(), 1u) << trusting.process->output();
  EXPECT_EQ(status(hits[0]), "firing");
  EXPECT_TRUE(untrusting.process->wait_for("notification 1 to secure failed .*TLS handshake", 5s))
      << untrusting.process->output();
  EXPECT_EQ(receiver.hits().size(), 1u);  // the untrusting server delivered nothing
}

}  // namespace
}  // namespace fleetgate::test
