#include "fleet/alert_book.h"

#include <re2/re2.h>

#include <algorithm>
#include <cstdio>

namespace fleetgate {

std::string Alert::severity() const {
  auto it = labels.find("severity");
  return it == labels.end() ? std::string() : it->second;
}

Result<Matcher> make_matcher(std::string name, std::string value, bool is_regex, bool is_equal) {
  if (name.empty() || name.size() > kMaxMatcherName)
    return Error(Errc::BadRequest, "A matcher's name must have 1 to " +
                                       std::to_string(kMaxMatcherName) + " characters.");
  if (value.size() > kMaxMatcherValue)
    return Error(Errc::BadRequest, "Matcher '" + name + "': the value is longer than " +
                                       std::to_string(kMaxMatcherValue) + " characters.");
  Matcher m{std::move(name), std::move(value), is_regex, is_equal, nullptr};
  if (is_regex) {
    RE2::Options options;
    options.set_log_errors(false);
    options.set_max_mem(1 << 20);  // bounds the compiled program, whatever the pattern
    auto re = std::make_shared<const RE2>(m.value, options);
    if (!re->ok())
      return Error(Errc::BadRequest, "Matcher '" + m.name + "': bad regex (" + re->error() + ").");
    m.regex = std::move(re);
  }
  return m;
}

bool Matcher::matches(const Labels& labels) const {
  auto it = labels.find(name);
  const std::string& v = it == labels.end() ? std::string() : it->second;
  bool hit = false;
  if (is_regex)
    hit = regex && RE2::FullMatch(v, *regex);  // an uncompiled regex never matches
  else
    hit = v == value;
  return hit == is_equal;
}

bool Silence::matches(const Labels& labels) const {
  return !matchers.empty() && std::all_of(matchers.begin(), matchers.end(),
                                          [&](const Matcher& m) { return m.matches(labels); });
}

std::string fingerprint_of(const Labels& labels) {
  // FNV-1a over name, value pairs in name order, each followed by a separator byte.
  std::uint64_t h = 0xcbf29ce484222325ull;
  auto mix = [&](std::string_view s) {
    for (unsigned char c : s) {
      h ^= c;
      h *= 0x100000001b3ull;
    }
    h ^= 0xff;
    h *= 0x100000001b3ull;
  };
  for (const auto& [k, v] : labels) {
    mix(k);
    mix(v);
  }
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

std::optional<AlertChange> AlertBook::fire(const std::string& rule, const std::string& subject,
                                           Labels labels, Labels annotations, FleetTime now) {
  labels["alertname"] = rule;
  const auto key = std::make_pair(rule, subject);
  auto it = firing_.find(key);
  if (it != firing_.end()) {
    Alert& a = it->second;
    if (a.labels == labels) {
      a.annotations = std::move(annotations);
      return std::nullopt;
    }
    a.labels = std::move(labels);  // e.g. warning -> critical: the same alert, told again
    a.annotations = std::move(annotations);
    a.fingerprint = fingerprint_of(a.labels);
    const bool tell = !held(a, now);
    if (tell) a.last_notified = now;
    return AlertChange{a, tell};
  }
  Alert a;
  a.rule = rule;
  a.subject = subject;
  a.labels = std::move(labels);
  a.annotations = std::move(annotations);
  a.starts_at = now;
  a.fingerprint = fingerprint_of(a.labels);
  const bool tell = !held(a, now);
  if (tell) a.last_notified = now;
  return AlertChange{firing_.emplace(key, std::move(a)).first->second, tell};
}

std::optional<AlertChange> AlertBook::resolve(const std::string& rule, const std::string& subject,
                                              FleetTime now) {
  auto it = firing_.find({rule, subject});
  if (it == firing_.end()) return std::nullopt;
  Alert a = std::move(it->second);
  firing_.erase(it);
  a.ends_at = now;
  // Receivers that never heard it fire need not hear it end (as Alertmanager's send_resolved
  // for what was sent); those that did hear the end even if a silence began meanwhile.
  const bool tell = a.last_notified.has_value();
  if (tell) a.last_notified = now;
  return AlertChange{std::move(a), tell};
}

bool AlertBook::held(const Alert& a, FleetTime now) const {
  // The Flapping alert itself is what a quiet subject's receivers hear.
  return (a.rule != "Flapping" && quiet_.count(a.subject) > 0) || silenced(a.labels, now);
}

std::vector<Alert> AlertBook::due(FleetTime now) {
  std::vector<Alert> out;
  for (auto& [key, a] : firing_) {
    if (held(a, now)) continue;
    if (!a.last_notified || *a.last_notified + repeat_ <= now) {
      a.last_notified = now;
      out.push_back(a);
    }
  }
  std::erase_if(silences_, [&](const Silence& s) { return s.ends_at <= now; });
  return out;
}

std::optional<FleetTime> AlertBook::next_due(FleetTime now) const {
  std::optional<FleetTime> next;
  auto consider = [&](FleetTime t) {
    if (!next || t < *next) next = t;
  };
  for (const auto& [key, a] : firing_)
    if (a.last_notified && !held(a, now)) consider(*a.last_notified + repeat_);
  for (const auto& s : silences_) consider(s.ends_at);  // what it held may be told then
  return next;
}

void AlertBook::set_quiet(const std::string& subject, bool quiet) {
  if (quiet)
    quiet_.insert(subject);
  else
    quiet_.erase(subject);
}

void AlertBook::add_silence(Silence s) {
  std::erase_if(silences_, [&](const Silence& o) { return o.id == s.id; });
  silences_.push_back(std::move(s));
}

bool AlertBook::expire_silence(const std::string& id, FleetTime now) {
  for (auto& s : silences_)
    if (s.id == id) {
      s.ends_at = std::min(s.ends_at, now);
      return true;
    }
  return false;
}

bool AlertBook::silenced(const Labels& labels, FleetTime now) const {
  return std::any_of(silences_.begin(), silences_.end(),
                     [&](const Silence& s) { return s.active(now) && s.matches(labels); });
}

void AlertBook::restore(Alert a) {
  auto key = std::make_pair(a.rule, a.subject);
  firing_[key] = std::move(a);
}

const Alert* AlertBook::find(const std::string& rule, const std::string& subject) const {
  auto it = firing_.find({rule, subject});
  return it == firing_.end() ? nullptr : &it->second;
}

}  // namespace fleetgate
