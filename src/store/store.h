// The embedded store: one SQLite file in WAL mode. All writes go through one writer thread,
// which commits whatever is queued as one transaction (group commit) and only then reports
// each batch done, so a sender is answered after its data is in the WAL: a `kill -9` of the
// server loses nothing that was acknowledged. Reads use their own connection and never wait
// for the writer. Only this module includes sqlite3.h.
#pragma once

#include "core/error.h"
#include "store/records.h"

#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

struct sqlite3;

namespace fleetgate {

struct Retention {
  std::int64_t pings_before_ms = 0;       // raw pings older than this go
  std::int64_t heartbeats_before_ms = 0;  // raw heartbeats older than this go (hourly stay)
  std::int64_t history_before_ms = 0;     // transitions, hourly figures, usage, old alerts
  std::int64_t responses_before_ms = 0;   // stored Responses API answers
  std::int64_t requests_before_ms = 0;    // the request log
  std::int64_t requests_max_rows = 0;     // and at most this many of its newest (0: no cap)
};

class Store {
 public:
  // Opens (creating when missing) and migrates the database. read_only: for `report`, which
  // may run beside a live server.
  static Result<std::unique_ptr<Store>> open(const std::string& path, bool read_only = false);
  ~Store();  // commits what is queued, then closes
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  // Queues a batch for the writer thread. `done(ok)` runs on the writer thread after the
  // commit (ok = false: the transaction failed and was rolled back; it is logged).
  using Done = std::function<void(bool ok)>;
  void write(WriteBatch batch, Done done = {});
  void prune(Retention r);  // queued like a write
  void flush();             // waits until everything queued so far is committed

  // Reads: any thread; a connection of their own, one reader at a time.
  std::vector<SubjectRow> subjects();
  std::vector<AlertRow> firing_alerts();
  std::vector<SilenceRow> silences(std::int64_t active_at_ms);
  // Undelivered notifications in the order they were made (due or not).
  std::vector<OutboxRow> pending_notifications(std::size_t limit);
  std::int64_t pending_outbox();
  std::vector<TransitionRow> transitions(std::int64_t since_ms);
  std::vector<UsageRow> usage(std::int64_t since_ms);  // summed per deployment
  std::vector<ActionRow> actions(std::int64_t since_ms);
  std::vector<PingRow> pings(const std::string& check, std::size_t limit);
  std::optional<ResponseRow> response(const std::string& id);
  std::vector<RequestRow> requests(const RequestQuery& q);

  // A consistent copy of the live database (SQLite's online backup API) into `path`.
  Result<void> backup(const std::string& path);

  int schema_version() const { return schema_version_; }
  const std::string& path() const { return path_; }

 private:
  Store() = default;
  void writer_loop();
  bool commit(std::deque<std::pair<WriteBatch, Done>>& work, std::vector<Retention>& prunes);

  std::string path_;
  sqlite3* writer_db_ = nullptr;
  sqlite3* reader_db_ = nullptr;
  int schema_version_ = 0;

  std::mutex read_mutex_;
  std::mutex mutex_;
  std::condition_variable cv_;
  std::condition_variable flushed_cv_;
  std::deque<std::pair<WriteBatch, Done>> queue_;
  std::vector<Retention> prunes_;
  std::uint64_t queued_ = 0;     // batches queued so far
  std::uint64_t committed_ = 0;  // batches committed (or failed) so far
  bool stopping_ = false;
  std::thread writer_;
};

}  // namespace fleetgate
