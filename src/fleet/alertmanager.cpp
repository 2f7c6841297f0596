#include "fleet/alertmanager.h"

#include "core/json_escape.h"
#include "core/wall_time.h"

namespace fleetgate {

std::string labels_json(const Labels& labels) {
  std::string out = "{";
  for (const auto& [k, v] : labels) {
    if (out.size() > 1) out += ',';
    append_json_string(out, k);
    out += ':';
    append_json_string(out, v);
  }
  out += '}';
  return out;
}

std::string alertmanager_payload(const Alert& a, const std::string& receiver,
                                 const std::string& external_url) {
  const char* status = a.firing() ? "\"firing\"" : "\"resolved\"";
  // One alert per notification, grouped by alertname and subject: the group's labels are the
  // alert's identifying labels, and common* are simply the alert's own.
  Labels group{{"alertname", a.rule}};
  for (const char* k : {"node", "check", "backend", "process"})
    if (auto it = a.labels.find(k); it != a.labels.end()) group.insert(*it);
  std::string group_key = "{}:{";
  bool first = true;
  for (const auto& [k, v] : group) {
    if (!first) group_key += ", ";
    first = false;
    group_key += k + "=" + json_string(v);
  }
  group_key += "}";
  const std::string generator =
      external_url.empty() ? std::string() : external_url + "/fleet/v1/alerts";
  std::string out = "{\"version\":\"4\",\"groupKey\":";
  append_json_string(out, group_key);
  out += ",\"truncatedAlerts\":0,\"status\":";
  out += status;
  out += ",\"receiver\":";
  append_json_string(out, receiver);
  out += ",\"groupLabels\":" + labels_json(group);
  out += ",\"commonLabels\":" + labels_json(a.labels);
  out += ",\"commonAnnotations\":" + labels_json(a.annotations);
  out += ",\"externalURL\":";
  append_json_string(out, external_url);
  out += ",\"alerts\":[{\"status\":";
  out += status;
  out += ",\"labels\":" + labels_json(a.labels);
  out += ",\"annotations\":" + labels_json(a.annotations);
  out += ",\"startsAt\":\"" + rfc3339(a.starts_at) + "\"";
  out += ",\"endsAt\":\"" + (a.ends_at ? rfc3339(*a.ends_at) : "0001-01-01T00:00:00Z") + "\"";
  out += ",\"generatorURL\":";
  append_json_string(out, generator);
  out += ",\"fingerprint\":\"" + a.fingerprint + "\"}]}";
  return out;
}

}  // namespace fleetgate
