// The rows the store keeps, as plain data. Times are milliseconds since the Unix epoch (UTC);
// states are the words the API shows ("up", "down", "new").
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace fleetgate {

// The current state of one node, backend, check or supervised process.
struct SubjectRow {
  std::string kind;  // node, backend, check, process
  std::string name;
  std::string health;  // new, up, down
  std::string reason;  // of the last transition
  std::int64_t since_ms = 0;
  std::int64_t last_seen_ms = 0;  // last ping, heartbeat or probe; 0: never
  std::int64_t started_ms = 0;    // a check's run in progress; 0: none
  bool flapping = false;
  std::string detail;  // JSON: a node's last figures, a check's last ping
};

struct TransitionRow {
  std::string kind;
  std::string name;
  std::string from;
  std::string to;
  std::string reason;
  std::int64_t at_ms = 0;
  bool automatic = false;  // a recovery fleetgate made itself (e.g. the agent's respawn)
};

struct PingRow {
  std::string check;
  std::string kind;  // success, start, fail, exit
  int exit_status = 0;
  std::int64_t at_ms = 0;
  std::string body;  // up to 10 KB
  std::string remote;
};

struct HeartbeatRow {
  std::string node;
  std::int64_t at_ms = 0;
  std::string body;  // the JSON as received
  // Figures kept hourly after the raw heartbeat is gone (the highest of the hour).
  double cpu_load_per_core = 0;
  double memory_used_percent = 0;
  double disk_used_percent = 0;  // the fullest mount
};

struct AlertRow {
  std::string fingerprint;  // of the labels; one alert per (rule, subject)
  std::string rule;
  std::string subject;  // kind/name
  std::string severity;
  std::string status;  // firing, resolved
  std::string labels;  // JSON object
  std::string annotations;
  std::int64_t starts_at_ms = 0;
  std::int64_t ends_at_ms = 0;  // 0 while firing
  std::int64_t last_notified_ms = 0;
};

struct OutboxRow {
  std::int64_t id = 0;  // assigned by the store
  std::string receiver;
  std::string payload;  // what is sent, rendered once
  std::int64_t created_ms = 0;
  std::int64_t next_attempt_ms = 0;
  int attempts = 0;
  int refusals = 0;  // 4xx answers so far: at notifier.h's kMaxRefusals it is set aside
  std::string last_error;
};

struct OutboxResult {
  std::int64_t id = 0;
  bool delivered = false;
  bool set_aside = false;  // refused for good: kept (with its error) but no longer pending
  int attempts = 0;
  int refusals = 0;
  std::int64_t at_ms = 0;
  std::int64_t next_attempt_ms = 0;
  std::string error;
};

struct SilenceRow {
  std::string id;
  std::string matchers;  // JSON list of {name, value, isRegex, isEqual}
  std::string created_by;
  std::string comment;
  std::int64_t starts_ms = 0;
  std::int64_t ends_ms = 0;
};

// Per deployment and minute: what the gateway did (for capacity and usage history).
struct UsageRow {
  std::string deployment;
  std::int64_t minute_ms = 0;
  std::int64_t requests = 0;
  std::int64_t errors = 0;
  std::int64_t prompt_tokens = 0;
  std::int64_t completion_tokens = 0;
  std::int64_t busy_ms = 0;  // request time, divided by the deployment's parallel slots
};

// Something an agent did to a process, on its own or when asked.
struct ActionRow {
  std::string node;
  std::string process;
  std::string action;     // start, stop, restart
  std::string reason;     // why: "liveness probe failed 3 times in a row: ...", "idle for 10m"
  std::string outcome;    // how it went: "running after 1.2s", "failed: ..."
  bool recovery = false;  // counted as an automatic recovery
  std::int64_t at_ms = 0;
};

// A Responses API answer kept for GET /v1/responses/{id} and previous_response_id.
struct ResponseRow {
  std::string id;
  std::int64_t created_ms = 0;
  std::string response;  // the response object (JSON)
  std::string messages;  // the conversation as chat messages (a JSON list)
};

// One request through the gateway, as the request log keeps it (fleet.retention.requests).
struct RequestRow {
  std::int64_t at_ms = 0;  // when it was answered
  std::string request_id;
  std::string client;   // the client's address
  std::string dialect;  // openai, anthropic, responses, ollama
  std::string method;
  std::string path;
  std::string model;  // as the client asked
  std::string route;  // the auto router's decision, if any
  std::string deployment;
  int status = 0;
  int attempts = 0;
  double latency_ms = 0;
  double first_byte_ms = -1;  // -1: no byte came from a backend
  std::int64_t prompt_tokens = 0;
  std::int64_t completion_tokens = 0;
  std::string error;
};

// Which logged requests to read: newest first, at most `limit`.
struct RequestQuery {
  std::int64_t since_ms = 0;
  bool failed = false;  // status >= 400 only
  std::string model{};  // "" for any
  std::string deployment{};
  int status = 0;  // 0 for any
  std::size_t limit = 100;
};

// One transaction's worth of writes.
struct WriteBatch {
  std::vector<SubjectRow> subjects;                                   // upserted by (kind, name)
  std::vector<std::pair<std::string, std::string>> removed_subjects;  // (kind, name)
  std::vector<TransitionRow> transitions;
  std::vector<PingRow> pings;
  std::vector<HeartbeatRow> heartbeats;
  std::vector<AlertRow> alerts;  // upserted by fingerprint + starts_at
  std::vector<OutboxRow> outbox;
  std::vector<OutboxResult> outbox_results;
  std::vector<SilenceRow> silences;  // upserted by id
  std::vector<UsageRow> usage;       // added to the minute's row
  std::vector<ActionRow> actions;
  std::vector<ResponseRow> responses;          // upserted by id
  std::vector<std::string> removed_responses;  // by id
  std::vector<RequestRow> requests;

  bool empty() const {
    return subjects.empty() && removed_subjects.empty() && transitions.empty() && pings.empty() &&
           heartbeats.empty() && alerts.empty() && outbox.empty() && outbox_results.empty() &&
           silences.empty() && usage.empty() && actions.empty() && responses.empty() &&
           removed_responses.empty() && requests.empty();
  }
};

}  // namespace fleetgate
