// The fleet watch as a running service: the FleetMonitor behind a mutex, the store behind it,
// a watch thread that wakes at the next deadline (not on a scan), and a notifier thread that
// drains the outbox with backoff. Thread-safe; the HTTP handlers call in from I/O threads and
// never wait on SQLite there (they get a callback once their writes are committed).
#pragma once

#include "control/agent_channel.h"
#include "core/clock.h"
#include "fleet/fleet_monitor.h"
#include "fleet/notifier.h"
#include "fleet/recovery.h"
#include "store/store.h"

#include <atomic>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <thread>

namespace fleetgate {

// The gateway's view of one deployment, polled each second.
struct BackendReport {
  std::string id;
  bool up = true;
  std::string reason;
  std::optional<ModelDriftReport> drift;
};

class FleetService {
 public:
  // `token`: what heartbeats and /fleet/v1/* need (fleet.token, else the master key). All time
  // is read from `clock` (tests pass a ManualClock and drive tick() and deliver_due()).
  FleetService(FleetSettings settings, std::unique_ptr<Store> store,
               std::optional<std::string> token, const Clock& clock = system_clock());
  ~FleetService();
  FleetService(const FleetService&) = delete;
  FleetService& operator=(const FleetService&) = delete;

  // Sources the watch thread polls: set before start(); called on the watch thread.
  std::function<std::vector<BackendReport>()> backend_source;
  std::function<std::vector<UsageRow>()> usage_source;  // what happened since the last call
  // The requests answered since the last call (the request log), written with the tick's batch.
  std::function<std::vector<RequestRow>()> requests_source;
  // The request log keeps at most this many of its newest rows, whatever their age.
  static constexpr std::int64_t kRequestLogMaxRows = 1'000'000;
  // The agents' command channel: heartbeats update its process states, and a check with an
  // action sends its restart there. Set before start(); may stay null (no agents).
  AgentChannel* agents = nullptr;
  // How each receiver is reached; set before start() (tests count deliveries with their own).
  std::function<std::unique_ptr<Notifier>(const ReceiverSpec&)> notifier_factory = make_notifier;

  // Restores the stored state and starts the threads.
  void start();
  // What the threads do, one pass each, for a test that drives the clock without them:
  // restore() (start's first half); tick(): deadlines, repeats, backends, usage, retention as of
  // now; deliver_due(): the store's writes so far committed, then the outbox once through.
  void restore();
  void tick();
  void deliver_due();
  // Commits what is queued and joins the threads.
  void stop();

  // Each changes the fleet's state now and queues the writes; `done(ok)` runs on the store's
  // writer thread once they are committed (answer the sender only then).
  bool ping(const PingRequest& p, Store::Done done);  // false: unknown check (nothing queued)
  void heartbeat(const Heartbeat& hb, const std::string& raw, Store::Done done);
  void add_silence(Silence s, Store::Done done);
  bool expire_silence(const std::string& id, Store::Done done);

  std::optional<std::string> check_by_uuid(std::string_view uuid) const;
  bool check_key_matches(std::string_view slug, std::string_view key) const;
  bool has_check(std::string_view slug) const;
  bool auto_create_checks() const { return settings_.auto_create_checks; }
  const Clock& clock() const { return clock_; }

  // Who an `Authorization: Bearer` header speaks for: the fleet (every fleet endpoint), one
  // node (its own heartbeats and commands; fleet.nodes[].token), or nobody. Without a fleet
  // token, loopback clients are the fleet. Thread-safe; compared in constant time.
  struct Caller {
    bool fleet = false;
    std::optional<std::string> node;
    explicit operator bool() const { return fleet || node.has_value(); }
  };
  Caller caller(std::string_view authorization, bool loopback) const;
  bool has_fleet_token() const;
  // A reload's tokens: the old ones stop working at once.
  void set_tokens(std::optional<std::string> fleet_token, const std::vector<NodeSpec>& nodes);

  std::string status_json() const;              // GET /fleet/v1/status
  std::string alerts_json() const;              // GET /fleet/v1/alerts
  std::string silences_json() const;            // GET /fleet/v1/silences
  void append_metrics(std::string& out) const;  // the fleet's part of GET /metrics

 private:
  void commit(WriteBatch batch, Store::Done done);  // call with mutex_ held
  // Checks with an action: a check going down sends its restart to the agent; its coming
  // back after that is an automatic recovery. Call with mutex_ held.
  void check_actions(WriteBatch& batch);
  void after_change();  // call with mutex_ held
  void watch_loop();
  void notify_loop();
  FleetTime watch_pass(std::unique_lock<std::mutex>& lock);  // when the next pass is due
  struct NotifyPass {
    std::size_t rows = 0;                     // pending rows read
    std::optional<std::int64_t> next_due_ms;  // the earliest row held back
    bool delivered_any = false;
  };
  NotifyPass notify_pass();

  FleetSettings settings_;
  std::unique_ptr<Store> store_;

 public:
  Store* store() const { return store_.get(); }

 private:
  const Clock& clock_;
  mutable std::mutex tokens_mutex_;  // guards the two below (reloads replace them)
  std::optional<std::string> token_;
  std::map<std::string, std::string, std::less<>> node_tokens_;  // by node

  mutable std::mutex mutex_;  // guards monitor_ and planned_wake_
  FleetMonitor monitor_;
  FleetTime planned_wake_{};
  RecoveryBook recovery_;  // checks with an action: guarded by mutex_
  std::condition_variable watch_cv_;

  FleetTime next_poll_{}, next_usage_{}, next_prune_{};         // the watch pass's own schedule
  std::map<std::string, std::unique_ptr<Notifier>> notifiers_;  // the notifier pass's, by name

  std::mutex notify_mutex_;
  std::condition_variable notify_cv_;
  bool outbox_changed_ = false;  // guarded by notify_mutex_
  std::atomic<std::int64_t> pending_outbox_{0};

  std::atomic<bool> stopping_{false};
  std::thread watch_;
  std::thread notifier_;
};

}  // namespace fleetgate
