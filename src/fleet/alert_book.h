// The open alerts: one per (rule, subject), firing until resolved. Decides when receivers hear
// of an alert: when it fires, when its severity changes, again every repeat interval while it
// fires, once when it resolves (only if they heard it fire), never while a silence matches it
// or its subject is flapping (then once the silence ends or the flapping stops). Pure.
#pragma once

#include "core/error.h"
#include "fleet/check_state.h"

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace re2 {
class RE2;
}

namespace fleetgate {

using Labels = std::map<std::string, std::string>;

struct Alert {
  std::string rule;     // the alertname label: CheckDown, NodeDown, DiskUsedPercent, ...
  std::string subject;  // kind/name, e.g. "check/nightly-backup"
  Labels labels;        // includes alertname and severity
  Labels annotations;   // summary, description
  FleetTime starts_at{};
  std::optional<FleetTime> ends_at;  // set once resolved
  std::optional<FleetTime> last_notified;
  std::string fingerprint;  // 16 hex digits of a hash of the labels (as Alertmanager's)

  bool firing() const { return !ends_at; }
  std::string severity() const;
};

// Alertmanager's matcher: name, value, isRegex, isEqual. A regex is RE2's (Go's syntax, as
// Alertmanager's), anchored at both ends and matched in linear time.
struct Matcher {
  std::string name;
  std::string value;
  bool is_regex = false;
  bool is_equal = true;
  std::shared_ptr<const re2::RE2> regex;  // compiled once, by make_matcher
  bool matches(const Labels& labels) const;
};

// Bounds on what a matcher may hold: its label name and its value or pattern.
inline constexpr std::size_t kMaxMatcherName = 128;
inline constexpr std::size_t kMaxMatcherValue = 1024;

// A matcher with its regex compiled; an error when a part is too long or the regex is bad.
Result<Matcher> make_matcher(std::string name, std::string value, bool is_regex, bool is_equal);

struct Silence {
  std::string id;
  std::vector<Matcher> matchers;  // all must match
  FleetTime starts_at{};
  FleetTime ends_at{};
  std::string created_by;
  std::string comment;
  bool active(FleetTime now) const { return starts_at <= now && now < ends_at; }
  bool matches(const Labels& labels) const;
};

std::string fingerprint_of(const Labels& labels);

// What fire() or resolve() changed: the alert as it is now, and whether receivers hear of it.
struct AlertChange {
  Alert alert;
  bool tell = false;
};

class AlertBook {
 public:
  explicit AlertBook(Duration repeat_interval) : repeat_(repeat_interval) {}

  // Fires (or updates) the alert of (rule, subject); nullopt when nothing changed. alertname
  // is added to `labels`; severity should be one of them. Annotations alone change nothing.
  std::optional<AlertChange> fire(const std::string& rule, const std::string& subject,
                                  Labels labels, Labels annotations, FleetTime now);
  // Resolves it, if firing; receivers hear of it when they heard it fire.
  std::optional<AlertChange> resolve(const std::string& rule, const std::string& subject,
                                     FleetTime now);
  // Alerts to tell receivers about now: repeats, and those held back by a silence or
  // flapping that has ended. Marks them notified.
  std::vector<Alert> due(FleetTime now);
  // When due() may next have something (a repeat or a silence's end); nullopt: never.
  // Held alerts wait for their silence's end or their subject to settle instead.
  std::optional<FleetTime> next_due(FleetTime now) const;

  // While a subject is quiet (flapping), its alerts change state without notifications.
  void set_quiet(const std::string& subject, bool quiet);
  void add_silence(Silence s);
  bool expire_silence(const std::string& id, FleetTime now);  // false: unknown id
  bool silenced(const Labels& labels, FleetTime now) const;
  const std::vector<Silence>& silences() const { return silences_; }

  // Puts back an alert the store kept across a restart.
  void restore(Alert a);

  const Alert* find(const std::string& rule, const std::string& subject) const;
  const std::map<std::pair<std::string, std::string>, Alert>& firing() const { return firing_; }

 private:
  bool held(const Alert& a, FleetTime now) const;

  Duration repeat_;
  std::map<std::pair<std::string, std::string>, Alert> firing_;  // by (rule, subject)
  std::set<std::string> quiet_;
  std::vector<Silence> silences_;
};

}  // namespace fleetgate
