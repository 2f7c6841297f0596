// Alertmanager's webhook payload (version 4), byte for byte where receivers read it.
#include "fleet/alertmanager.h"

#include <gtest/gtest.h>
#include <boost/json/parse.hpp>

namespace fleetgate {
namespace {

using namespace std::chrono_literals;

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
