// What the fleet service shows: /fleet/v1/status, alerts, silences and its part of /metrics.
#include "fleet/fleet_service.h"

#include "core/secret.h"

#include "core/json_escape.h"
#include "core/text_forms.h"
#include "core/wall_time.h"
#include "fleet/alertmanager.h"
#include "fleet/notifier.h"
#include "fleet/silence_json.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <map>

namespace fleetgate {

namespace {

void subject_json(std::string& out, const Subject& s, FleetTime now) {
  out += "{\"kind\":\"" + std::string(to_string(s.kind)) + "\",\"name\":";
  append_json_string(out, s.name);
  out += ",\"state\":\"" + std::string(to_string(s.state.health())) + "\"";
  if (s.since != FleetTime{}) out += ",\"since\":\"" + rfc3339(s.since) + "\"";
  if (s.last_seen != FleetTime{}) {
    out += ",\"last_seen\":\"" + rfc3339(s.last_seen) + "\"";
    out += fmt::format(",\"last_seen_age_s\":{:.1f}",
                       std::chrono::duration<double>(now - s.last_seen).count());
  }
  if (!s.reason.empty()) {
    out += ",\"reason\":";
    append_json_string(out, s.reason);
  }
  if (s.kind == SubjectKind::Check || s.kind == SubjectKind::Node) {
    const auto& spec = s.state.spec();
    out += ",\"period\":\"" + format_duration(spec.period) + "\",\"grace\":\"" +
           format_duration(spec.grace) + "\"";
    if (auto d = s.state.deadline()) out += ",\"deadline\":\"" + rfc3339(*d) + "\"";
    if (s.state.running()) out += ",\"running\":true";
  }
  if (s.flap.flapping()) out += ",\"flapping\":true";
  out += "}";
}

void alert_json(std::string& out, const Alert& a) {
  out += "{\"alertname\":";
  append_json_string(out, a.rule);
  out += ",\"subject\":";
  append_json_string(out, a.subject);
  out += ",\"severity\":";
  append_json_string(out, a.severity());
  out += ",\"status\":\"" + std::string(a.firing() ? "firing" : "resolved") + "\"";
  out += ",\"startsAt\":\"" + rfc3339(a.starts_at) + "\"";
  out += ",\"labels\":" + labels_json(a.labels);
  out += ",\"annotations\":" + labels_json(a.annotations);
  out += ",\"fingerprint\":\"" + a.fingerprint + "\"}";
}

}  // namespace

std::string FleetService::status_json() const {
  std::lock_guard lock(mutex_);
  const auto now = clock_.wall();
  std::string out = "{\"generated_at\":\"" + rfc3339(now) + "\",\"subjects\":[";
  bool first = true;
  for (const auto& s : monitor_.subjects()) {
    if (!first) out += ',';
    first = false;
    subject_json(out, s, now);
  }
  out += "],\"alerts\":[";
  first = true;
  for (const auto& [key, a] : monitor_.alerts().firing()) {
    if (!first) out += ',';
    first = false;
    alert_json(out, a);
  }
  out += "],\"notifications_pending\":" + std::to_string(pending_outbox_.load()) + "}";
  return out;
}

std::string FleetService::alerts_json() const {
  std::lock_guard lock(mutex_);
  std::string out = "[";
  for (const auto& [key, a] : monitor_.alerts().firing()) {
    if (out.size() > 1) out += ',';
    alert_json(out, a);
  }
  return out + "]";
}

std::string FleetService::silences_json() const {
  std::lock_guard lock(mutex_);
  const auto now = clock_.wall();
  std::string out = "[";
  for (const auto& s : monitor_.alerts().silences()) {
    if (out.size() > 1) out += ',';
    out += "{\"id\":";
    append_json_string(out, s.id);
    out += ",\"status\":{\"state\":\"";
    out += s.active(now) ? "active" : (s.ends_at <= now ? "expired" : "pending");
    out += "\"},\"matchers\":" + matchers_json(s.matchers);
    out += ",\"startsAt\":\"" + rfc3339(s.starts_at) + "\",\"endsAt\":\"" + rfc3339(s.ends_at) +
           "\",\"createdBy\":" + json_string(s.created_by) +
           ",\"comment\":" + json_string(s.comment) + "}";
  }
  return out + "]";
}

void FleetService::append_metrics(std::string& out) const {
  std::lock_guard lock(mutex_);
  const auto now = clock_.wall();
  out +=
      "# HELP fleetgate_subject_up Whether a node, backend, check or process is UP (1) or DOWN "
      "(0); not yet seen ones are left out.\n# TYPE fleetgate_subject_up gauge\n";
  for (const auto& s : monitor_.subjects()) {
    if (s.state.health() == Health::New) continue;
    out += fmt::format("fleetgate_subject_up{{kind=\"{}\",name=\"{}\"}} {}\n", to_string(s.kind),
                       prometheus_escape(s.name), s.state.health() == Health::Up ? 1 : 0);
  }
  out +=
      "# HELP fleetgate_subject_last_seen_age_seconds Seconds since the last ping, heartbeat or "
      "probe.\n# TYPE fleetgate_subject_last_seen_age_seconds gauge\n";
  for (const auto& s : monitor_.subjects()) {
    if (s.last_seen == FleetTime{}) continue;
    out +=
        fmt::format("fleetgate_subject_last_seen_age_seconds{{kind=\"{}\",name=\"{}\"}} {:.3f}\n",
                    to_string(s.kind), prometheus_escape(s.name),
                    std::chrono::duration<double>(now - s.last_seen).count());
  }
  out +=
      "# HELP fleetgate_subject_flapping Whether a subject is marked flapping.\n"
      "# TYPE fleetgate_subject_flapping gauge\n";
  for (const auto& s : monitor_.subjects())
    if (s.flap.flapping())
      out += fmt::format("fleetgate_subject_flapping{{kind=\"{}\",name=\"{}\"}} 1\n",
                         to_string(s.kind), prometheus_escape(s.name));
  std::map<std::pair<std::string, std::string>, int> firing;
  for (const auto& [key, a] : monitor_.alerts().firing()) ++firing[{a.rule, a.severity()}];
  out +=
      "# HELP fleetgate_alerts_firing Open alerts by alertname and severity.\n"
      "# TYPE fleetgate_alerts_firing gauge\n";
  for (const auto& [k, n] : firing)
    out += fmt::format("fleetgate_alerts_firing{{alertname=\"{}\",severity=\"{}\"}} {}\n",
                       prometheus_escape(k.first), prometheus_escape(k.second), n);
  out += fmt::format(
      "# HELP fleetgate_notifications_pending Notifications in the outbox not yet delivered.\n"
      "# TYPE fleetgate_notifications_pending gauge\nfleetgate_notifications_pending {}\n",
      pending_outbox_.load());
}

}  // namespace fleetgate
