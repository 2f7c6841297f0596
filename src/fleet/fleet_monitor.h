// One place that knows every node, backend, check and supervised process: their UP/DOWN
// states, deadlines (one heap for all), resource thresholds, flapping, and the alerts these
// raise. Each call appends what must be stored, and what receivers must be told (as outbox
// rows), to a WriteBatch. Pure and single-threaded: the caller passes `now` and holds a lock.
#pragma once

#include "config/fleet_settings.h"
#include "fleet/alert_book.h"
#include "fleet/check_state.h"
#include "fleet/deadline_queue.h"
#include "fleet/heartbeat.h"
#include "fleet/threshold.h"
#include "store/records.h"

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace fleetgate {

enum class SubjectKind { Node, Backend, Check, Process };
std::string_view to_string(SubjectKind k);
std::string_view to_string(Health h);

struct Subject {
  SubjectKind kind = SubjectKind::Check;
  std::string name;
  std::string key;  // "kind/name": the alerts' subject
  CheckState state{
      CheckSpec{}};   // nodes and checks have deadlines; backends and processes only a state
  FleetTime since{};  // of the current state
  FleetTime last_seen{};
  std::string reason;  // of the last transition
  FlapDetector flap{6, std::chrono::minutes(10)};
  bool declared = false;  // in the config (not auto-created or first seen in a heartbeat)
  std::string detail;     // JSON: a node's last figures, a check's last ping
  std::map<std::pair<Metric, std::string>, Threshold> thresholds;  // nodes: by (figure, instance)
  long long restarts = 0;                                          // processes: the agent's count
  bool drift = false;                                              // backends: ModelDrift
  std::optional<std::string> uuid;                                 // checks
  std::optional<std::string> key_secret;                           // checks: ping key
};

enum class PingKind { Success, Start, Fail, ExitStatus, Log };

// A backend that answers but does not list the model its deployment declares.
struct ModelDriftReport {
  std::string declared;
  std::vector<std::string> listed;
  bool ejected = false;  // fleetgate.health_checks.on_drift: eject
};

struct PingRequest {
  std::string check;  // slug
  PingKind kind = PingKind::Success;
  int exit_status = 0;
  std::string body;  // at most 10 KB (the caller cuts it)
  std::string remote;
};

class FleetMonitor {
 public:
  explicit FleetMonitor(const FleetSettings& settings);

  // Puts back what the store kept: states, last-seen times, open alerts, silences. Deadlines
  // that passed while the server was down fire at the next tick(). Declared subjects the store
  // did not know yet get their row in `out`, so status and reports show them before any ping.
  // Returns what it had to leave out (a record that cannot be used), to be logged.
  std::vector<std::string> restore(const std::vector<SubjectRow>& subjects,
                                   const std::vector<AlertRow>& firing,
                                   const std::vector<SilenceRow>& silences, WriteBatch& out);

  // A check's slug from the secret parts of a ping URL; nullopt when nothing matches.
  std::optional<std::string> check_by_uuid(std::string_view uuid) const;
  bool check_key_matches(std::string_view slug, std::string_view key) const;
  bool has_check(std::string_view slug) const;

  // False when the check is unknown and auto-creation is off.
  bool ping(const PingRequest& p, FleetTime now, WriteBatch& out);
  void heartbeat(const Heartbeat& hb, const std::string& raw, FleetTime now, WriteBatch& out);
  // The gateway's view of a deployment: probes (or, for remote APIs, passive health). A
  // drift raises a ModelDrift alert (a warning) that resolves once the listing matches again.
  void backend(const std::string& id, bool up, const std::string& reason,
               const std::optional<ModelDriftReport>& drift, FleetTime now, WriteBatch& out);
  // Missed deadlines, alert repeats, silences ending, flapping settling.
  void tick(FleetTime now, WriteBatch& out);
  // When tick() next has work; nullopt: nothing scheduled.
  std::optional<FleetTime> next_wakeup(FleetTime now);

  // POST /fleet/v1/silences; DELETE /fleet/v1/silences/<id>.
  void add_silence(Silence s, WriteBatch& out);
  bool expire_silence(const std::string& id, FleetTime now, WriteBatch& out);

  const std::vector<Subject>& subjects() const { return subjects_; }
  const AlertBook& alerts() const { return alerts_; }
  const FleetSettings& settings() const { return settings_; }

 private:
  std::uint32_t add_subject(SubjectKind kind, const std::string& name, bool declared);
  Subject* find(SubjectKind kind, const std::string& name);
  // Records a state change of subject `i` and raises or resolves its alert.
  void changed(std::uint32_t i, const Transition& t, bool automatic, WriteBatch& out);
  void store_subject(const Subject& s, WriteBatch& out) const;
  void arm(std::uint32_t i);
  void fire(const std::string& rule, const Subject& s, Labels labels, Labels annotations,
            FleetTime now, WriteBatch& out, const std::string& instance = {});
  void resolve(const std::string& rule, const Subject& s, FleetTime now, WriteBatch& out,
               const std::string& instance = {});
  void record_alert(const Alert& a, bool tell, WriteBatch& out) const;
  void check_thresholds(std::uint32_t node, const std::string& name,
                        const std::vector<Reading>& figures, FleetTime now, WriteBatch& out);
  void processes(const Heartbeat& hb, FleetTime now, WriteBatch& out);
  void flapping(std::uint32_t i, FleetTime now, WriteBatch& out);
  const ThresholdMap& thresholds_for(const std::string& node) const;

  FleetSettings settings_;
  std::vector<Subject> subjects_;
  std::unordered_map<std::string, std::uint32_t> by_key_;
  std::unordered_map<std::string, std::uint32_t> by_uuid_;
  DeadlineQueue deadlines_;
  AlertBook alerts_;
  std::vector<std::uint32_t> flapping_;  // subjects currently flapping, to settle
};

}  // namespace fleetgate
