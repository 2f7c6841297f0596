// The store's reads: what the fleet watch restores at start, the report, status and backups.
#include "store/store.h"

#include "store/statement.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <spdlog/spdlog.h>
#include <sqlite3.h>

namespace fleetgate {

std::vector<SubjectRow> Store::subjects() {
  std::lock_guard lock(read_mutex_);
  Stmt s(reader_db_,
         "SELECT kind, name, health, reason, since_ms, last_seen_ms, started_ms, flapping, "
         "detail FROM subjects ORDER BY kind, name");
  std::vector<SubjectRow> out;
  while (s.step())
    out.push_back({s.text(0), s.text(1), s.text(2), s.text(3), s.i64(4), s.i64(5), s.i64(6),
                   s.i64(7) != 0, s.text(8)});
  return out;
}

std::vector<AlertRow> Store::firing_alerts() {
  std::lock_guard lock(read_mutex_);
  Stmt s(reader_db_,
         "SELECT fingerprint, rule, subject, severity, status, labels, annotations, starts_at_ms, "
         "ends_at_ms, last_notified_ms FROM alerts WHERE status='firing' ORDER BY starts_at_ms");
  std::vector<AlertRow> out;
  while (s.step())
    out.push_back({s.text(0), s.text(1), s.text(2), s.text(3), s.text(4), s.text(5), s.text(6),
                   s.i64(7), s.i64(8), s.i64(9)});
  return out;
}

std::vector<SilenceRow> Store::silences(std::int64_t active_at_ms) {
  std::lock_guard lock(read_mutex_);
  Stmt s(reader_db_,
         "SELECT id, matchers, created_by, comment, starts_ms, ends_ms FROM silences WHERE "
         "ends_ms > ?1 ORDER BY starts_ms");
  s.bind(1, active_at_ms);
  std::vector<SilenceRow> out;
  while (s.step()) out.push_back({s.text(0), s.text(1), s.text(2), s.text(3), s.i64(4), s.i64(5)});
  return out;
}

std::vector<OutboxRow> Store::pending_notifications(std::size_t limit) {
  std::lock_guard lock(read_mutex_);
  Stmt s(reader_db_,
         "SELECT id, receiver, payload, created_ms, next_attempt_ms, attempts, refusals, "
         "last_error FROM outbox WHERE delivered_ms = 0 AND set_aside_ms = 0 ORDER BY id "
         "LIMIT ?1");
  s.bind(1, static_cast<std::int64_t>(limit));
  std::vector<OutboxRow> out;
  while (s.step())
    out.push_back({s.i64(0), s.text(1), s.text(2), s.i64(3), s.i64(4), static_cast<int>(s.i64(5)),
                   static_cast<int>(s.i64(6)), s.text(7)});
  return out;
}

std::int64_t Store::pending_outbox() {
  std::lock_guard lock(read_mutex_);
  Stmt s(reader_db_, "SELECT count(*) FROM outbox WHERE delivered_ms = 0 AND set_aside_ms = 0");
  return s.step() ? s.i64(0) : 0;
}

std::vector<TransitionRow> Store::transitions(std::int64_t since_ms) {
  std::lock_guard lock(read_mutex_);
  Stmt s(reader_db_,
         "SELECT kind, name, from_health, to_health, reason, at_ms, automatic FROM transitions "
         "WHERE at_ms >= ?1 ORDER BY at_ms, id");
  s.bind(1, since_ms);
  std::vector<TransitionRow> out;
  while (s.step())
    out.push_back({s.text(0), s.text(1), s.text(2), s.text(3), s.text(4), s.i64(5), s.i64(6) != 0});
  return out;
}

std::vector<UsageRow> Store::usage(std::int64_t since_ms) {
  std::lock_guard lock(read_mutex_);
  Stmt s(reader_db_,
         "SELECT deployment, min(minute_ms), sum(requests), sum(errors), sum(prompt_tokens), "
         "sum(completion_tokens), sum(busy_ms) FROM usage_minutes WHERE minute_ms >= ?1 "
         "GROUP BY deployment ORDER BY deployment");
  s.bind(1, since_ms);
  std::vector<UsageRow> out;
  while (s.step())
    out.push_back({s.text(0), s.i64(1), s.i64(2), s.i64(3), s.i64(4), s.i64(5), s.i64(6)});
  return out;
}

std::vector<ActionRow> Store::actions(std::int64_t since_ms) {
  std::lock_guard lock(read_mutex_);
  Stmt s(reader_db_,
         "SELECT node, process, action, reason, outcome, recovery, at_ms FROM actions "
         "WHERE at_ms >= ?1 ORDER BY at_ms, id");
  s.bind(1, since_ms);
  std::vector<ActionRow> out;
  while (s.step())
    out.push_back({s.text(0), s.text(1), s.text(2), s.text(3), s.text(4), s.i64(5) != 0, s.i64(6)});
  return out;
}

std::optional<ResponseRow> Store::response(const std::string& id) {
  std::lock_guard lock(read_mutex_);
  Stmt s(reader_db_, "SELECT id, created_ms, response, messages FROM responses WHERE id = ?1");
  s.bind(1, id);
  if (!s.step()) return std::nullopt;
  return ResponseRow{s.text(0), s.i64(1), s.text(2), s.text(3)};
}

std::vector<RequestRow> Store::requests(const RequestQuery& q) {
  std::lock_guard lock(read_mutex_);
  // Every filter is a bound value ("" or 0 for any): one statement, no text built from input.
  Stmt s(reader_db_,
         "SELECT at_ms, request_id, client, dialect, method, path, model, route, deployment, "
         "status, attempts, latency_ms, first_byte_ms, prompt_tokens, completion_tokens, error "
         "FROM requests WHERE at_ms >= ?1 AND (?2 = 0 OR status >= 400) AND (?3 = '' OR model = "
         "?3) AND (?4 = '' OR deployment = ?4) AND (?5 = 0 OR status = ?5) "
         "ORDER BY at_ms DESC, id DESC LIMIT ?6");
  s.bind(1, q.since_ms)
      .bind(2, q.failed)
      .bind(3, q.model)
      .bind(4, q.deployment)
      .bind(5, q.status)
      .bind(6, static_cast<std::int64_t>(q.limit));
  std::vector<RequestRow> out;
  while (s.step())
    out.push_back(RequestRow{s.i64(0), s.text(1), s.text(2), s.text(3), s.text(4), s.text(5),
                             s.text(6), s.text(7), s.text(8), static_cast<int>(s.i64(9)),
                             static_cast<int>(s.i64(10)), s.real(11), s.real(12), s.i64(13),
                             s.i64(14), s.text(15)});
  return out;
}

std::vector<PingRow> Store::pings(const std::string& check, std::size_t limit) {
  std::lock_guard lock(read_mutex_);
  Stmt s(reader_db_,
         "SELECT check_name, kind, exit_status, at_ms, body, remote FROM pings WHERE "
         "check_name = ?1 ORDER BY at_ms DESC, id DESC LIMIT ?2");
  s.bind(1, check).bind(2, static_cast<std::int64_t>(limit));
  std::vector<PingRow> out;
  while (s.step())
    out.push_back(
        {s.text(0), s.text(1), static_cast<int>(s.i64(2)), s.i64(3), s.text(4), s.text(5)});
  return out;
}

Result<void> Store::backup(const std::string& path) {
  // A new file, owner only, like the store itself (the caller refuses an existing one).
  if (const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600); fd >= 0)
    ::close(fd);
  sqlite3* out = nullptr;
  if (sqlite3_open_v2(path.c_str(), &out, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) !=
      SQLITE_OK) {
    std::string msg = out ? sqlite3_errmsg(out) : "out of memory";
    sqlite3_close(out);
    return Error(Errc::Internal, "cannot open " + path + ": " + msg);
  }
  std::lock_guard lock(read_mutex_);
  sqlite3_backup* b = sqlite3_backup_init(out, "main", reader_db_, "main");
  if (!b) {
    std::string msg = sqlite3_errmsg(out);
    sqlite3_close(out);
    return Error(Errc::Internal, "backup to " + path + ": " + msg);
  }
  // All pages in one step: the copy is of one consistent snapshot of the source.
  const int rc = sqlite3_backup_step(b, -1);
  sqlite3_backup_finish(b);
  std::string msg = sqlite3_errmsg(out);
  sqlite3_close(out);
  if (rc != SQLITE_DONE) return Error(Errc::Internal, "backup to " + path + ": " + msg);
  return {};
}

}  // namespace fleetgate
