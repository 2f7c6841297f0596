#include "store/store.h"

#include "store/migrations.h"
#include "store/statement.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <spdlog/spdlog.h>
#include <sqlite3.h>

namespace fleetgate {

namespace {

void exec(sqlite3* db, const char* sql) {
  char* err = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err ? err : "unknown error";
    sqlite3_free(err);
    throw std::runtime_error(msg);
  }
}

int user_version(sqlite3* db) {
  Stmt s(db, "PRAGMA user_version");
  return s.step() ? static_cast<int>(s.i64(0)) : 0;
}

Result<sqlite3*> open_connection(const std::string& path, int flags) {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, flags | SQLITE_OPEN_NOMUTEX, nullptr) != SQLITE_OK) {
    std::string msg = db ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close(db);
    return Error(Errc::Internal, "cannot open " + path + ": " + msg);
  }
  sqlite3_busy_timeout(db, 5000);
  return db;
}

}  // namespace

Result<std::unique_ptr<Store>> Store::open(const std::string& path, bool read_only) {
  std::unique_ptr<Store> store(new Store());
  store->path_ = path;
  if (!read_only) {
    // Owner only: the store keeps pings' bodies, heartbeats and notification payloads. SQLite
    // gives its -wal and -shm files the database file's mode.
    if (const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
        fd >= 0) {
      ::fchmod(fd, 0600);
      ::close(fd);
    }
    for (const char* suffix : {"-wal", "-shm"}) ::chmod((path + suffix).c_str(), 0600);
    auto w = open_connection(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    if (!w) return w.error();
    store->writer_db_ = *w;
    try {
      // WAL: readers never block the writer. synchronous=NORMAL: a commit is in the WAL (and
      // so survives the process dying) before it returns; only a power cut may lose the last.
      exec(store->writer_db_, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;");
      const auto migrations = store_migrations();
      int version = user_version(store->writer_db_);
      if (version > static_cast<int>(migrations.size()))
        return Error(Errc::Internal, path + " has schema version " + std::to_string(version) +
                                         ", newer than this fleetgate knows (" +
                                         std::to_string(migrations.size()) + ")");
      for (; version < static_cast<int>(migrations.size()); ++version) {
        exec(store->writer_db_, "BEGIN IMMEDIATE");
        exec(store->writer_db_, migrations[static_cast<std::size_t>(version)]);
        exec(store->writer_db_, ("PRAGMA user_version=" + std::to_string(version + 1)).c_str());
        exec(store->writer_db_, "COMMIT");
      }
      store->schema_version_ = version;
    } catch (const std::exception& e) {
      return Error(Errc::Internal, path + ": " + e.what());
    }
  }
  auto r = open_connection(path, read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE);
  if (!r) return r.error();
  store->reader_db_ = *r;
  if (read_only) {
    try {
      store->schema_version_ = user_version(store->reader_db_);
    } catch (const std::exception& e) {
      return Error(Errc::Internal, path + ": " + e.what());
    }
    if (store->schema_version_ == 0)
      return Error(Errc::Internal, path + " is not a fleetgate store");
  } else {
    store->writer_ = std::thread([s = store.get()] { s->writer_loop(); });
  }
  return store;
}

Store::~Store() {
  if (writer_.joinable()) {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    cv_.notify_all();
    writer_.join();
  }
  sqlite3_close(reader_db_);
  sqlite3_close(writer_db_);
}

void Store::write(WriteBatch batch, Done done) {
  {
    std::lock_guard lock(mutex_);
    queue_.emplace_back(std::move(batch), std::move(done));
    ++queued_;
  }
  cv_.notify_one();
}

void Store::prune(Retention r) {
  {
    std::lock_guard lock(mutex_);
    prunes_.push_back(r);
  }
  write(WriteBatch{});
}

void Store::flush() {
  std::unique_lock lock(mutex_);
  const std::uint64_t target = queued_;
  flushed_cv_.wait(lock, [&] { return committed_ >= target || !writer_.joinable(); });
}

void Store::writer_loop() {
  std::unique_lock lock(mutex_);
  for (;;) {
    cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
    if (queue_.empty() && stopping_) return;
    std::deque<std::pair<WriteBatch, Done>> work;
    work.swap(queue_);
    std::vector<Retention> prunes;
    prunes.swap(prunes_);
    lock.unlock();
    const bool ok = commit(work, prunes);
    for (auto& [batch, done] : work)
      if (done) done(ok);
    lock.lock();
    committed_ += work.size();
    flushed_cv_.notify_all();
  }
}

bool Store::commit(std::deque<std::pair<WriteBatch, Done>>& work, std::vector<Retention>& prunes) {
  sqlite3* db = writer_db_;
  try {
    exec(db, "BEGIN IMMEDIATE");
    Stmt subject(db,
                 "INSERT INTO subjects VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9) "
                 "ON CONFLICT (kind, name) DO UPDATE SET health=?3, reason=?4, since_ms=?5, "
                 "last_seen_ms=?6, started_ms=?7, flapping=?8, detail=?9");
    Stmt unsubject(db, "DELETE FROM subjects WHERE kind=?1 AND name=?2");
    Stmt transition(db,
                    "INSERT INTO transitions (kind, name, from_health, to_health, reason, at_ms,"
                    " automatic) VALUES (?1,?2,?3,?4,?5,?6,?7)");
    Stmt ping(db,
              "INSERT INTO pings (check_name, kind, exit_status, at_ms, body, remote) "
              "VALUES (?1,?2,?3,?4,?5,?6)");
    Stmt heartbeat(db, "INSERT INTO heartbeats (node, at_ms, body) VALUES (?1,?2,?3)");
    Stmt hour(db,
              "INSERT INTO node_hours VALUES (?1,?2,1,?3,?4,?5) ON CONFLICT (node, hour_ms) DO "
              "UPDATE SET samples=samples+1, cpu_load_per_core=max(cpu_load_per_core,?3), "
              "memory_used_percent=max(memory_used_percent,?4), "
              "disk_used_percent=max(disk_used_percent,?5)");
    Stmt alert(db,
               "INSERT INTO alerts VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10) ON CONFLICT "
               "(fingerprint, starts_at_ms) DO UPDATE SET severity=?5, status=?6, labels=?7, "
               "annotations=?8, ends_at_ms=?9, last_notified_ms=?10");
    Stmt outbox(db,
                "INSERT INTO outbox (receiver, payload, created_ms, next_attempt_ms, attempts) "
                "VALUES (?1,?2,?3,?4,0)");
    Stmt result(db,
                "UPDATE outbox SET attempts=?2, delivered_ms=?3, next_attempt_ms=?4, "
                "last_error=?5, refusals=?6, set_aside_ms=?7 WHERE id=?1");
    Stmt silence(db,
                 "INSERT INTO silences VALUES (?1,?2,?3,?4,?5,?6) ON CONFLICT (id) DO UPDATE "
                 "SET matchers=?2, created_by=?3, comment=?4, starts_ms=?5, ends_ms=?6");
    Stmt usage(db,
               "INSERT INTO usage_minutes VALUES (?1,?2,?3,?4,?5,?6,?7) ON CONFLICT "
               "(deployment, minute_ms) DO UPDATE SET requests=requests+?3, errors=errors+?4, "
               "prompt_tokens=prompt_tokens+?5, completion_tokens=completion_tokens+?6, "
               "busy_ms=busy_ms+?7");
    Stmt action(db,
                "INSERT INTO actions (node, process, action, reason, outcome, recovery, at_ms) "
                "VALUES (?1,?2,?3,?4,?5,?6,?7)");
    Stmt response(db,
                  "INSERT INTO responses VALUES (?1,?2,?3,?4) ON CONFLICT (id) DO UPDATE SET "
                  "created_ms=?2, response=?3, messages=?4");
    Stmt removed_response(db, "DELETE FROM responses WHERE id = ?1");
    Stmt request(db,
                 "INSERT INTO requests (at_ms, request_id, client, dialect, method, path, model, "
                 "route, deployment, status, attempts, latency_ms, first_byte_ms, prompt_tokens, "
                 "completion_tokens, error) VALUES "
                 "(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16)");
    for (const auto& [b, done] : work) {
      for (const auto& r : b.requests)
        request.bind(1, r.at_ms)
            .bind(2, r.request_id)
            .bind(3, r.client)
            .bind(4, r.dialect)
            .bind(5, r.method)
            .bind(6, r.path)
            .bind(7, r.model)
            .bind(8, r.route)
            .bind(9, r.deployment)
            .bind(10, static_cast<std::int64_t>(r.status))
            .bind(11, static_cast<std::int64_t>(r.attempts))
            .bind(12, r.latency_ms)
            .bind(13, r.first_byte_ms)
            .bind(14, r.prompt_tokens)
            .bind(15, r.completion_tokens)
            .bind(16, r.error)
            .run();
      for (const auto& r : b.responses)
        response.bind(1, r.id).bind(2, r.created_ms).bind(3, r.response).bind(4, r.messages).run();
      for (const auto& id : b.removed_responses) removed_response.bind(1, id).run();
      for (const auto& a : b.actions)
        action.bind(1, a.node)
            .bind(2, a.process)
            .bind(3, a.action)
            .bind(4, a.reason)
            .bind(5, a.outcome)
            .bind(6, a.recovery)
            .bind(7, a.at_ms)
            .run();
      for (const auto& s : b.subjects)
        subject.bind(1, s.kind)
            .bind(2, s.name)
            .bind(3, s.health)
            .bind(4, s.reason)
            .bind(5, s.since_ms)
            .bind(6, s.last_seen_ms)
            .bind(7, s.started_ms)
            .bind(8, s.flapping)
            .bind(9, s.detail)
            .run();
      for (const auto& [kind, name] : b.removed_subjects)
        unsubject.bind(1, kind).bind(2, name).run();
      for (const auto& t : b.transitions)
        transition.bind(1, t.kind)
            .bind(2, t.name)
            .bind(3, t.from)
            .bind(4, t.to)
            .bind(5, t.reason)
            .bind(6, t.at_ms)
            .bind(7, t.automatic)
            .run();
      for (const auto& p : b.pings)
        ping.bind(1, p.check)
            .bind(2, p.kind)
            .bind(3, p.exit_status)
            .bind(4, p.at_ms)
            .bind(5, p.body)
            .bind(6, p.remote)
            .run();
      for (const auto& h : b.heartbeats) {
        heartbeat.bind(1, h.node).bind(2, h.at_ms).bind(3, h.body).run();
        hour.bind(1, h.node)
            .bind(2, h.at_ms - h.at_ms % 3'600'000)
            .bind(3, h.cpu_load_per_core)
            .bind(4, h.memory_used_percent)
            .bind(5, h.disk_used_percent)
            .run();
      }
      for (const auto& a : b.alerts)
        alert.bind(1, a.fingerprint)
            .bind(2, a.starts_at_ms)
            .bind(3, a.rule)
            .bind(4, a.subject)
            .bind(5, a.severity)
            .bind(6, a.status)
            .bind(7, a.labels)
            .bind(8, a.annotations)
            .bind(9, a.ends_at_ms)
            .bind(10, a.last_notified_ms)
            .run();
      for (const auto& o : b.outbox)
        outbox.bind(1, o.receiver)
            .bind(2, o.payload)
            .bind(3, o.created_ms)
            .bind(4, o.next_attempt_ms)
            .run();
      for (const auto& r : b.outbox_results)
        result.bind(1, r.id)
            .bind(2, r.attempts)
            .bind(3, r.delivered ? r.at_ms : 0)
            .bind(4, r.next_attempt_ms)
            .bind(5, r.error)
            .bind(6, static_cast<std::int64_t>(r.refusals))
            .bind(7, r.set_aside ? r.at_ms : 0)
            .run();
      for (const auto& s : b.silences)
        silence.bind(1, s.id)
            .bind(2, s.matchers)
            .bind(3, s.created_by)
            .bind(4, s.comment)
            .bind(5, s.starts_ms)
            .bind(6, s.ends_ms)
            .run();
      for (const auto& u : b.usage)
        usage.bind(1, u.deployment)
            .bind(2, u.minute_ms)
            .bind(3, u.requests)
            .bind(4, u.errors)
            .bind(5, u.prompt_tokens)
            .bind(6, u.completion_tokens)
            .bind(7, u.busy_ms)
            .run();
    }
    for (const auto& r : prunes) {
      Stmt(db, "DELETE FROM pings WHERE at_ms < ?1").bind(1, r.pings_before_ms).run();
      Stmt(db, "DELETE FROM heartbeats WHERE at_ms < ?1").bind(1, r.heartbeats_before_ms).run();
      Stmt(db, "DELETE FROM node_hours WHERE hour_ms < ?1").bind(1, r.history_before_ms).run();
      Stmt(db, "DELETE FROM transitions WHERE at_ms < ?1").bind(1, r.history_before_ms).run();
      Stmt(db, "DELETE FROM usage_minutes WHERE minute_ms < ?1").bind(1, r.history_before_ms).run();
      Stmt(db, "DELETE FROM actions WHERE at_ms < ?1").bind(1, r.history_before_ms).run();
      Stmt(db, "DELETE FROM alerts WHERE status='resolved' AND ends_at_ms < ?1")
          .bind(1, r.history_before_ms)
          .run();
      Stmt(db,
           "DELETE FROM outbox WHERE (delivered_ms > 0 AND delivered_ms < ?1) OR "
           "(set_aside_ms > 0 AND set_aside_ms < ?1)")
          .bind(1, r.pings_before_ms)
          .run();
      Stmt(db, "DELETE FROM silences WHERE ends_ms < ?1").bind(1, r.history_before_ms).run();
      Stmt(db, "DELETE FROM responses WHERE created_ms < ?1").bind(1, r.responses_before_ms).run();
      Stmt(db, "DELETE FROM requests WHERE at_ms < ?1").bind(1, r.requests_before_ms).run();
      if (r.requests_max_rows > 0)
        Stmt(db, "DELETE FROM requests WHERE id <= (SELECT MAX(id) FROM requests) - ?1")
            .bind(1, r.requests_max_rows)
            .run();
    }
    exec(db, "COMMIT");
    return true;
  } catch (const std::exception& e) {
    spdlog::error("store: a write to {} failed and was rolled back: {}", path_, e.what());
    sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
    return false;
  }
}

}  // namespace fleetgate
