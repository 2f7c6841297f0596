#include "store/migrations.h"

namespace fleetgate {

namespace {

constexpr const char* kMigrations[] = {
    // 1: subjects and their history, pings, heartbeats, alerts, the outbox, silences, usage.
    R"sql(
CREATE TABLE subjects (
  kind TEXT NOT NULL, name TEXT NOT NULL, health TEXT NOT NULL, reason TEXT NOT NULL,
  since_ms INTEGER NOT NULL, last_seen_ms INTEGER NOT NULL, started_ms INTEGER NOT NULL,
  flapping INTEGER NOT NULL, detail TEXT NOT NULL,
  PRIMARY KEY (kind, name)) WITHOUT ROWID;
CREATE TABLE transitions (
  id INTEGER PRIMARY KEY, kind TEXT NOT NULL, name TEXT NOT NULL, from_health TEXT NOT NULL,
  to_health TEXT NOT NULL, reason TEXT NOT NULL, at_ms INTEGER NOT NULL,
  automatic INTEGER NOT NULL);
CREATE INDEX transitions_at ON transitions (at_ms);
CREATE TABLE pings (
  id INTEGER PRIMARY KEY, check_name TEXT NOT NULL, kind TEXT NOT NULL,
  exit_status INTEGER NOT NULL, at_ms INTEGER NOT NULL, body TEXT NOT NULL,
  remote TEXT NOT NULL);
CREATE INDEX pings_check ON pings (check_name, at_ms);
CREATE INDEX pings_at ON pings (at_ms);
CREATE TABLE heartbeats (
  id INTEGER PRIMARY KEY, node TEXT NOT NULL, at_ms INTEGER NOT NULL, body TEXT NOT NULL);
CREATE INDEX heartbeats_node ON heartbeats (node, at_ms);
CREATE INDEX heartbeats_at ON heartbeats (at_ms);
CREATE TABLE node_hours (
  node TEXT NOT NULL, hour_ms INTEGER NOT NULL, samples INTEGER NOT NULL,
  cpu_load_per_core REAL NOT NULL, memory_used_percent REAL NOT NULL,
  disk_used_percent REAL NOT NULL,
  PRIMARY KEY (node, hour_ms)) WITHOUT ROWID;
CREATE TABLE alerts (
  fingerprint TEXT NOT NULL, starts_at_ms INTEGER NOT NULL, rule TEXT NOT NULL,
  subject TEXT NOT NULL, severity TEXT NOT NULL, status TEXT NOT NULL, labels TEXT NOT NULL,
  annotations TEXT NOT NULL, ends_at_ms INTEGER NOT NULL, last_notified_ms INTEGER NOT NULL,
  PRIMARY KEY (fingerprint, starts_at_ms)) WITHOUT ROWID;
CREATE INDEX alerts_status ON alerts (status);
CREATE TABLE outbox (
  id INTEGER PRIMARY KEY, receiver TEXT NOT NULL, payload TEXT NOT NULL,
  created_ms INTEGER NOT NULL, next_attempt_ms INTEGER NOT NULL, attempts INTEGER NOT NULL,
  delivered_ms INTEGER NOT NULL DEFAULT 0, last_error TEXT NOT NULL DEFAULT '');
CREATE INDEX outbox_pending ON outbox (next_attempt_ms) WHERE delivered_ms = 0;
CREATE TABLE silences (
  id TEXT PRIMARY KEY, matchers TEXT NOT NULL, created_by TEXT NOT NULL,
  comment TEXT NOT NULL, starts_ms INTEGER NOT NULL, ends_ms INTEGER NOT NULL);
CREATE TABLE usage_minutes (
  deployment TEXT NOT NULL, minute_ms INTEGER NOT NULL, requests INTEGER NOT NULL,
  errors INTEGER NOT NULL, prompt_tokens INTEGER NOT NULL, completion_tokens INTEGER NOT NULL,
  busy_ms INTEGER NOT NULL,
  PRIMARY KEY (deployment, minute_ms)) WITHOUT ROWID;
)sql",
    // 2: what the agents did (restarts, on-demand starts, idle stops), with why and how it went.
    R"sql(
CREATE TABLE actions (
  id INTEGER PRIMARY KEY, node TEXT NOT NULL, process TEXT NOT NULL, action TEXT NOT NULL,
  reason TEXT NOT NULL, outcome TEXT NOT NULL, recovery INTEGER NOT NULL, at_ms INTEGER NOT NULL);
CREATE INDEX actions_at ON actions (at_ms);
)sql",
    // 3: notifications a receiver refused (4xx) are set aside after a few tries.
    R"sql(
ALTER TABLE outbox ADD COLUMN refusals INTEGER NOT NULL DEFAULT 0;
ALTER TABLE outbox ADD COLUMN set_aside_ms INTEGER NOT NULL DEFAULT 0;
)sql",
    // 4: Responses API answers and their conversations (store: true), for previous_response_id.
    R"sql(
CREATE TABLE responses (
  id TEXT PRIMARY KEY, created_ms INTEGER NOT NULL, response TEXT NOT NULL,
  messages TEXT NOT NULL);
CREATE INDEX responses_created ON responses (created_ms);
)sql",
    // 5: the request log: each request's metadata (fleet.retention.requests, a row cap).
    R"sql(
CREATE TABLE requests (
  id INTEGER PRIMARY KEY, at_ms INTEGER NOT NULL, request_id TEXT NOT NULL,
  client TEXT NOT NULL, dialect TEXT NOT NULL, method TEXT NOT NULL, path TEXT NOT NULL,
  model TEXT NOT NULL, route TEXT NOT NULL, deployment TEXT NOT NULL, status INTEGER NOT NULL,
  attempts INTEGER NOT NULL, latency_ms REAL NOT NULL, first_byte_ms REAL NOT NULL,
  prompt_tokens INTEGER NOT NULL, completion_tokens INTEGER NOT NULL, error TEXT NOT NULL);
CREATE INDEX requests_at ON requests (at_ms);
)sql",
};

}  // namespace

std::span<const char* const> store_migrations() { return kMigrations; }

}  // namespace fleetgate
