#include "fleet/fleet_monitor.h"

#include "fleet/fleet_monitor_internal.h"

#include "core/text_forms.h"

#include "core/json_escape.h"
#include "core/secret.h"
#include "core/wall_time.h"
#include "fleet/alertmanager.h"
#include "fleet/silence_json.h"

#include <fmt/format.h>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include <algorithm>

namespace fleetgate {

using namespace monitoring;

std::string_view to_string(SubjectKind k) {
  switch (k) {
    case SubjectKind::Node: return "node";
    case SubjectKind::Backend: return "backend";
    case SubjectKind::Check: return "check";
    case SubjectKind::Process: return "process";
  }
  return "?";
}

std::string_view to_string(Health h) {
  switch (h) {
    case Health::New: return "new";
    case Health::Up: return "up";
    case Health::Down: return "down";
  }
  return "?";
}

FleetMonitor::FleetMonitor(const FleetSettings& settings)
    : settings_(settings), alerts_(settings.alerts.repeat_interval) {
  for (const auto& n : settings_.nodes) {
    const auto i = add_subject(SubjectKind::Node, n.name, true);
    subjects_[i].state.set_spec(check_spec(n.name, n.period, n.grace, std::nullopt));
  }
  for (const auto& c : settings_.checks) {
    const auto i = add_subject(SubjectKind::Check, c.name, true);
    Subject& s = subjects_[i];
    CheckSpec spec = check_spec(c.name, c.period, c.grace, c.max_runtime);
    if (c.cron) {
      std::string problem;
      if (auto cron = CronSchedule::parse(*c.cron, problem))
        spec.cron = std::make_shared<const CronSchedule>(*cron);
      if (auto tz = TimeZone::load(c.tz, problem))
        spec.tz = std::make_shared<const TimeZone>(std::move(*tz));
    }
    s.state.set_spec(std::move(spec));
    s.uuid = c.uuid;
    s.key_secret = c.key ? c.key : settings_.ping_key;
    if (c.uuid) by_uuid_[*c.uuid] = i;
  }
}

std::uint32_t FleetMonitor::add_subject(SubjectKind kind, const std::string& name, bool declared) {
  const std::string key = key_of(kind, name);
  if (auto it = by_key_.find(key); it != by_key_.end()) return it->second;
  Subject s;
  s.kind = kind;
  s.name = name;
  s.key = key;
  s.declared = declared;
  s.flap = FlapDetector(static_cast<std::size_t>(settings_.alerts.flap_transitions),
                        settings_.alerts.flap_window);
  if (kind == SubjectKind::Node)
    s.state.set_spec(check_spec(name, settings_.node_period, settings_.node_grace, std::nullopt));
  if (kind == SubjectKind::Check) {
    s.state.set_spec(
        check_spec(name, settings_.default_period, settings_.default_grace, std::nullopt));
    s.key_secret = settings_.ping_key;
  }
  const auto i = static_cast<std::uint32_t>(subjects_.size());
  subjects_.push_back(std::move(s));
  by_key_.emplace(key, i);
  return i;
}

Subject* FleetMonitor::find(SubjectKind kind, const std::string& name) {
  auto it = by_key_.find(key_of(kind, name));
  return it == by_key_.end() ? nullptr : &subjects_[it->second];
}

std::vector<std::string> FleetMonitor::restore(const std::vector<SubjectRow>& rows,
                                               const std::vector<AlertRow>& firing,
                                               const std::vector<SilenceRow>& silences,
                                               WriteBatch& out) {
  std::vector<std::string> skipped;
  std::vector<bool> restored(subjects_.size(), false);
  for (const auto& r : rows) {
    auto kind = kind_of(r.kind);
    if (!kind || *kind == SubjectKind::Backend) continue;  // the gateway reports those afresh
    if (!valid_name(*kind, r.name)) {  // stored before names were checked: leave it out
      skipped.push_back(r.kind + " '" + r.name + "': not a valid name");
      continue;
    }
    if (*kind == SubjectKind::Check && !by_key_.count(key_of(*kind, r.name)) &&
        !settings_.auto_create_checks)
      continue;  // no longer in the config
    const auto i = add_subject(*kind, r.name, false);
    if (i < restored.size()) restored[i] = true;
    Subject& s = subjects_[i];
    std::optional<FleetTime> last;
    if (r.last_seen_ms) last = from_ms(r.last_seen_ms);
    std::optional<FleetTime> started;
    if (r.started_ms) started = from_ms(r.started_ms);
    s.state.restore(health_of(r.health), last, started);
    s.since = from_ms(r.since_ms);
    s.last_seen = from_ms(r.last_seen_ms);
    s.reason = r.reason;
    s.detail = r.detail;
    arm(i);
  }
  for (std::size_t i = 0; i < restored.size(); ++i)
    if (!restored[i]) store_subject(subjects_[i], out);
  for (const auto& row : firing) {
    Alert a;
    a.rule = row.rule;
    a.subject = row.subject;
    a.labels = parse_labels(row.labels);
    a.annotations = parse_labels(row.annotations);
    a.starts_at = from_ms(row.starts_at_ms);
    if (row.last_notified_ms) a.last_notified = from_ms(row.last_notified_ms);
    a.fingerprint = row.fingerprint;
    alerts_.restore(std::move(a));
  }
  for (const auto& row : silences) {
    Silence s;
    s.id = row.id;
    s.starts_at = from_ms(row.starts_ms);
    s.ends_at = from_ms(row.ends_ms);
    s.created_by = row.created_by;
    s.comment = row.comment;
    auto matchers = parse_matchers(row.matchers);
    if (!matchers) {  // never crash-loop on a stored record: leave it out and say so
      skipped.push_back("silence " + row.id + ": " + matchers.error().message);
      continue;
    }
    s.matchers = std::move(*matchers);
    alerts_.add_silence(std::move(s));
  }
  return skipped;
}

std::optional<std::string> FleetMonitor::check_by_uuid(std::string_view uuid) const {
  std::string lower(uuid);
  for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  auto it = by_uuid_.find(lower);
  if (it == by_uuid_.end()) it = by_uuid_.find(std::string(uuid));
  if (it == by_uuid_.end()) return std::nullopt;
  return subjects_[it->second].name;
}

bool FleetMonitor::check_key_matches(std::string_view slug, std::string_view key) const {
  auto it = by_key_.find(key_of(SubjectKind::Check, std::string(slug)));
  const std::optional<std::string>* secret = &settings_.ping_key;
  if (it != by_key_.end()) secret = &subjects_[it->second].key_secret;
  return *secret && secret_equals(key, **secret);
}

bool FleetMonitor::has_check(std::string_view slug) const {
  return by_key_.count(key_of(SubjectKind::Check, std::string(slug))) > 0;
}

void FleetMonitor::arm(std::uint32_t i) {
  const Subject& s = subjects_[i];
  if (s.kind == SubjectKind::Node || s.kind == SubjectKind::Check)
    deadlines_.set(i, s.state.deadline());
}

void FleetMonitor::store_subject(const Subject& s, WriteBatch& out) const {
  SubjectRow row;
  row.kind = std::string(to_string(s.kind));
  row.name = s.name;
  row.health = std::string(to_string(s.state.health()));
  row.reason = s.reason;
  row.since_ms = to_ms(s.since);
  row.last_seen_ms = s.last_seen == FleetTime{} ? 0 : to_ms(s.last_seen);
  row.started_ms = s.state.started() ? to_ms(*s.state.started()) : 0;
  row.flapping = s.flap.flapping();
  row.detail = s.detail;
  // One row per subject and batch: a later change in the same batch replaces an earlier one.
  for (auto& existing : out.subjects)
    if (existing.kind == row.kind && existing.name == row.name) {
      existing = std::move(row);
      return;
    }
  out.subjects.push_back(std::move(row));
}

void FleetMonitor::record_alert(const Alert& a, bool tell, WriteBatch& out) const {
  AlertRow row;
  row.fingerprint = a.fingerprint;
  row.rule = a.rule;
  row.subject = a.subject;
  row.severity = a.severity();
  row.status = a.firing() ? "firing" : "resolved";
  row.labels = labels_json(a.labels);
  row.annotations = labels_json(a.annotations);
  row.starts_at_ms = to_ms(a.starts_at);
  row.ends_at_ms = a.ends_at ? to_ms(*a.ends_at) : 0;
  row.last_notified_ms = a.last_notified ? to_ms(*a.last_notified) : 0;
  out.alerts.push_back(std::move(row));
  if (!tell) return;
  const std::int64_t now_ms = a.last_notified ? to_ms(*a.last_notified) : 0;
  for (const auto& r : settings_.alerts.receivers) {
    OutboxRow o;
    o.receiver = r.name;
    o.payload = alertmanager_payload(a, r.name, settings_.alerts.external_url);
    o.created_ms = now_ms;
    o.next_attempt_ms = now_ms;
    out.outbox.push_back(std::move(o));
  }
}

void FleetMonitor::fire(const std::string& rule, const Subject& s, Labels labels,
                        Labels annotations, FleetTime now, WriteBatch& out,
                        const std::string& instance) {
  labels.merge(subject_labels(s));
  auto change = alerts_.fire(rule, instance.empty() ? s.key : s.key + ":" + instance,
                             std::move(labels), std::move(annotations), now);
  if (change) record_alert(change->alert, change->tell, out);
}

void FleetMonitor::resolve(const std::string& rule, const Subject& s, FleetTime now,
                           WriteBatch& out, const std::string& instance) {
  auto change = alerts_.resolve(rule, instance.empty() ? s.key : s.key + ":" + instance, now);
  if (change) record_alert(change->alert, change->tell, out);
}

void FleetMonitor::changed(std::uint32_t i, const Transition& t, bool automatic, WriteBatch& out) {
  Subject& s = subjects_[i];
  s.since = t.at;
  s.reason = t.reason;
  TransitionRow row;
  row.kind = std::string(to_string(s.kind));
  row.name = s.name;
  row.from = std::string(to_string(t.from));
  row.to = std::string(to_string(t.to));
  row.reason = t.reason;
  row.at_ms = to_ms(t.at);
  row.automatic = automatic;
  out.transitions.push_back(std::move(row));
  if (t.from != Health::New) flapping(i, t.at, out);
  const std::string rule = down_rule(s.kind);
  if (t.to == Health::Down) {
    const std::string what = std::string(to_string(s.kind)) + " " + s.name;
    fire(rule, s, {{"severity", "critical"}},
         {{"summary", what + " is DOWN"}, {"description", what + ": " + t.reason}}, t.at, out);
  } else if (t.to == Health::Up) {
    resolve(rule, s, t.at, out);
  }
}

void FleetMonitor::flapping(std::uint32_t i, FleetTime now, WriteBatch& out) {
  Subject& s = subjects_[i];
  auto became = s.flap.record(now);
  if (!became || !*became) return;
  alerts_.set_quiet(s.key, true);
  flapping_.push_back(i);
  const std::string what = std::string(to_string(s.kind)) + " " + s.name;
  fire("Flapping", s, {{"severity", "warning"}},
       {{"summary", what + " is flapping"},
        {"description", what + " changed state more than " +
                            std::to_string(settings_.alerts.flap_transitions) + " times in " +
                            format_duration(settings_.alerts.flap_window) +
                            "; its other alerts are held until it settles"}},
       now, out);
}

bool FleetMonitor::ping(const PingRequest& p, FleetTime now, WriteBatch& out) {
  std::uint32_t i = 0;
  if (auto it = by_key_.find(key_of(SubjectKind::Check, p.check)); it != by_key_.end())
    i = it->second;
  else if (settings_.auto_create_checks && is_slug(p.check))
    i = add_subject(SubjectKind::Check, p.check, false);
  else
    return false;
  Subject& s = subjects_[i];
  std::optional<Transition> t;
  const char* kind = "success";
  switch (p.kind) {
    case PingKind::Success: t = s.state.ping(now); break;
    case PingKind::Start:
      t = s.state.start(now);
      kind = "start";
      break;
    case PingKind::Fail:
      t = s.state.fail(now);
      kind = "fail";
      break;
    case PingKind::ExitStatus:
      t = s.state.exit_status(p.exit_status, now);
      kind = "exit";
      break;
    case PingKind::Log: kind = "log"; break;
  }
  if (p.kind != PingKind::Log) s.last_seen = now;
  s.detail = "{\"last_ping\":\"" + std::string(kind) + "\"" +
             (p.kind == PingKind::ExitStatus ? ",\"exit_status\":" + std::to_string(p.exit_status)
                                             : std::string()) +
             ",\"at\":\"" + rfc3339(now) + "\"}";
  out.pings.push_back({p.check, kind, p.exit_status, to_ms(now), p.body, p.remote});
  if (t) changed(i, *t, false, out);
  arm(i);
  store_subject(subjects_[i], out);
  return true;
}

void FleetMonitor::tick(FleetTime now, WriteBatch& out) {
  for (auto i : deadlines_.pop_due(now)) {
    auto t = subjects_[i].state.expire(now);
    if (!t) {
      arm(i);  // not due after all (a ping moved it); keep watching
      continue;
    }
    changed(i, *t, false, out);
    store_subject(subjects_[i], out);
  }
  for (std::size_t k = 0; k < flapping_.size();) {
    Subject& s = subjects_[flapping_[k]];
    auto settled = s.flap.settle(now);
    if (settled && !*settled) {
      alerts_.set_quiet(s.key, false);
      resolve("Flapping", s, now, out);
      store_subject(s, out);
      flapping_.erase(flapping_.begin() + static_cast<std::ptrdiff_t>(k));
    } else {
      ++k;
    }
  }
  for (const auto& a : alerts_.due(now)) record_alert(a, true, out);
}

std::optional<FleetTime> FleetMonitor::next_wakeup(FleetTime now) {
  std::optional<FleetTime> next = deadlines_.next();
  auto consider = [&](std::optional<FleetTime> t) {
    if (t && (!next || *t < *next)) next = t;
  };
  consider(alerts_.next_due(now));
  for (auto i : flapping_) consider(subjects_[i].flap.next_settle());
  return next;
}

void FleetMonitor::add_silence(Silence s, WriteBatch& out) {
  SilenceRow row;
  row.id = s.id;
  row.matchers = matchers_json(s.matchers);
  row.created_by = s.created_by;
  row.comment = s.comment;
  row.starts_ms = to_ms(s.starts_at);
  row.ends_ms = to_ms(s.ends_at);
  out.silences.push_back(std::move(row));
  alerts_.add_silence(std::move(s));
}

bool FleetMonitor::expire_silence(const std::string& id, FleetTime now, WriteBatch& out) {
  for (const auto& s : alerts_.silences())
    if (s.id == id) {
      Silence copy = s;
      copy.ends_at = std::min(copy.ends_at, now);
      add_silence(std::move(copy), out);
      return true;
    }
  return false;
}

}  // namespace fleetgate
