// The subcommands as functions: everything main() does, runnable inside a test process too.
#pragma once

#include "sim/sim_backend.h"

#include <optional>
#include <string>

namespace fleetgate {

// Exit codes shared by the subcommands.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;    // could not start (port taken, ...)
inline constexpr int kExitBadConfig = 2;  // invalid config or arguments

struct ServeOptions {
  std::string config_path;
  std::optional<std::string> listen;         // overrides fleetgate.listen
  std::optional<unsigned> threads;           // overrides fleetgate.threads
  std::string data_path = "./fleetgate.db";  // the store
};
int run_serve(const ServeOptions& options);

// Validates the config, prints warnings and errors, and returns kExitOk or kExitBadConfig.
int run_check(const std::string& config_path);

struct BackupOptions {
  std::string data_path = "./fleetgate.db";
  std::string output;
};
// A consistent copy of a live store (SQLite's online backup).
int run_backup(const BackupOptions& options);

struct ReportOptions {
  std::optional<std::string> config_path;  // targets and phase names (fleet.targets)
  std::string data_path = "./fleetgate.db";
  std::optional<std::string> snapshot;  // render this JSON snapshot instead of the store
  std::optional<std::string> output;    // write here instead of stdout
  bool json = false;
};
int run_report(const ReportOptions& options);

struct StatusOptions {
  std::string url = "http://127.0.0.1:4000";
  std::optional<std::string> token;  // fleet.token; default $FLEETGATE_TOKEN
  bool json = false;
};
int run_status(const StatusOptions& options);

struct RequestsOptions {
  std::string url = "http://127.0.0.1:4000";
  std::optional<std::string> token;  // fleet.token; default $FLEETGATE_TOKEN
  std::string since = "1h";
  bool failed = false;
  std::string model;
  std::string deployment;
  int status = 0;
  int limit = 100;
};
// The request log (GET /fleet/v1/requests) as JSON lines, newest first.
int run_requests(const RequestsOptions& options);

struct ProcessCommandOptions {
  std::string action;  // start, stop, restart
  std::string target;  // NODE/PROCESS
  std::string url = "http://127.0.0.1:4000";
  std::optional<std::string> token;
};
// Asks a node's agent, through the control plane, to start, stop or restart a process.
int run_process_command(const ProcessCommandOptions& options);

struct AgentOptions {
  std::string config_path;  // its `agent:` section (and fleet.token / master_key as the token)
};
int run_agent(const AgentOptions& options);

struct SimCommandOptions {
  SimOptions sim;
  std::string listen = "127.0.0.1:8000";
  unsigned threads = 1;
  bool fail_start = false;  // exit with an error before listening (a backend that will not start)
};
int run_sim(const SimCommandOptions& options);

}  // namespace fleetgate
