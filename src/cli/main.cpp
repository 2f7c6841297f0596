// fleetgate: argument parsing only; each subcommand is a function in app/.
#include "app/commands.h"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>

#include <cstdlib>
#include <sstream>

namespace {

bool parse_csv(const std::string& text, std::vector<std::string>& out) {
  out.clear();
  std::stringstream in(text);
  std::string item;
  while (std::getline(in, item, ','))
    if (!item.empty()) out.push_back(item);
  return !out.empty();
}

}  // namespace

int main(int argc, char** argv) {
  using namespace fleetgate;
  spdlog::set_default_logger(spdlog::stderr_color_mt("fleetgate"));
  spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v");

  CLI::App app{"fleetgate: the gateway and watchdog for a self-hosted LLM fleet"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("fleetgate 0.1.0"));

  ServeOptions serve;
  auto* serve_cmd = app.add_subcommand("serve", "Run the gateway (OpenAI-compatible API)");
  serve_cmd
      ->add_option("-c,--config", serve.config_path, "config.yaml (LiteLLM format + fleetgate:)")
      ->required();
  serve_cmd->add_option("--listen", serve.listen, "HOST:PORT (default 127.0.0.1:4000)");
  serve_cmd->add_option("--threads", serve.threads, "I/O threads (default: one per core)")
      ->check(CLI::Range(1, 256));
  serve_cmd->add_option("--data", serve.data_path, "the store (SQLite file)")
      ->capture_default_str();

  std::string check_path;
  auto* check_cmd = app.add_subcommand("check", "Validate a config file and exit");
  check_cmd->add_option("-c,--config", check_path, "config.yaml")->required();

  AgentOptions agent;
  auto* agent_cmd = app.add_subcommand("agent", "Report this machine to the control plane");
  agent_cmd->add_option("-c,--config", agent.config_path, "config.yaml (agent: section)")
      ->required();

  BackupOptions backup;
  auto* backup_cmd = app.add_subcommand("backup", "Copy the live store consistently");
  backup_cmd->add_option("--data", backup.data_path, "the store")->capture_default_str();
  backup_cmd->add_option("-o,--output", backup.output, "the copy (a new file)")->required();

  ReportOptions report;
  auto* report_cmd = app.add_subcommand("report", "Render the fleet's phase report");
  report_cmd->add_option("-c,--config", report.config_path, "config.yaml (fleet.targets)");
  report_cmd->add_option("--data", report.data_path, "the store")->capture_default_str();
  report_cmd->add_option("--snapshot", report.snapshot, "render this JSON snapshot instead");
  report_cmd->add_option("-o,--output", report.output, "write to this file");
  report_cmd->add_flag("--json", report.json, "JSON (the snapshot format) instead of Markdown");

  StatusOptions status;
  auto* status_cmd = app.add_subcommand("status", "Show nodes, backends, checks and alerts");
  status_cmd->add_option("--url", status.url, "the server")->capture_default_str();
  status_cmd->add_option("--token", status.token, "fleet token (default $FLEETGATE_TOKEN)");
  status_cmd->add_flag("--json", status.json, "the server's JSON as is");

  RequestsOptions requests;
  auto* requests_cmd =
      app.add_subcommand("requests", "List the request log (newest first, JSON lines)");
  requests_cmd->add_option("--since", requests.since, "how far back: 15m, 1h, 7d")
      ->capture_default_str();
  requests_cmd->add_flag("--failed", requests.failed, "only answers with status >= 400");
  requests_cmd->add_option("--model", requests.model, "only this model, as clients ask it");
  requests_cmd->add_option("--deployment", requests.deployment, "only this deployment");
  requests_cmd->add_option("--status", requests.status, "only this status")
      ->check(CLI::Range(100, 599));
  requests_cmd->add_option("--limit", requests.limit, "at most this many (1-1000)")
      ->check(CLI::Range(1, 1000))
      ->capture_default_str();
  requests_cmd->add_option("--url", requests.url, "the server")->capture_default_str();
  requests_cmd->add_option("--token", requests.token, "fleet token (default $FLEETGATE_TOKEN)");

  ProcessCommandOptions proc;
  auto* process_cmd = app.add_subcommand(
      "process", "Ask a node's agent to start, stop or restart a supervised process");
  process_cmd->add_option("action", proc.action, "start, stop or restart")
      ->required()
      ->check(CLI::IsMember({"start", "stop", "restart"}));
  process_cmd->add_option("target", proc.target, "NODE/PROCESS, e.g. gpu1/vllm")->required();
  process_cmd->add_option("--url", proc.url, "the server")->capture_default_str();
  process_cmd->add_option("--token", proc.token, "fleet token (default $FLEETGATE_TOKEN)");

  SimCommandOptions sim;
  std::string models = "sim-model", ttft = "0ms";
  auto* sim_cmd = app.add_subcommand("sim", "Run a simulated OpenAI/Ollama/llama.cpp/vLLM backend");
  sim_cmd->add_option("--listen", sim.listen, "HOST:PORT on loopback (port 0 picks one)")
      ->capture_default_str();
  sim_cmd->add_option("--models", models, "comma-separated model names")->capture_default_str();
  sim_cmd->add_option("--ttft", ttft, "time to first token, e.g. 200ms")->capture_default_str();
  sim_cmd->add_option("--tokens-per-second", sim.sim.tokens_per_second, "0: all at once")
      ->check(CLI::NonNegativeNumber);
  sim_cmd->add_option("--tokens", sim.sim.tokens, "completion length in tokens")
      ->check(CLI::Range(1, 100000))
      ->capture_default_str();
  sim_cmd->add_option("--error-rate", sim.sim.error_rate, "share of requests that fail")
      ->check(CLI::Range(0.0, 1.0));
  sim_cmd->add_option("--error-status", sim.sim.error_status, "status of injected failures")
      ->check(CLI::Range(400, 599))
      ->capture_default_str();
  sim_cmd->add_option("--retry-after", sim.sim.retry_after_seconds,
                      "seconds of Retry-After on injected failures");
  sim_cmd->add_option("--max-context", sim.sim.max_context,
                      "prompts longer than this many tokens get a context-length error");
  sim_cmd->add_option("--hang-rate", sim.sim.hang_rate, "share of requests never answered")
      ->check(CLI::Range(0.0, 1.0));
  sim_cmd->add_option("--close-after", sim.sim.close_after_tokens, "drop streams after N tokens");
  sim_cmd->add_option("--slots", sim.sim.slots, "answer GET /slots with this many idle slots");
  sim_cmd->add_flag("--loading", sim.sim.loading, "/health answers 503 as while loading a model");
  sim_cmd->add_option("--model-path", sim.sim.model_path,
                      "as llama.cpp -m PATH: answer any model name, list --models as aliases");
  sim_cmd->add_option("--stream-error-after", sim.sim.stream_error_after,
                      "streams send an error event after N tokens, then end");
  sim_cmd->add_flag("--fail-start", sim.fail_start, "exit with an error instead of listening");
  sim_cmd->add_option("--threads", sim.threads, "I/O threads")
      ->check(CLI::Range(1, 64))
      ->capture_default_str();
  sim_cmd->add_option("--seed", sim.sim.seed, "random seed for injected faults (0: random)");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help and --version exit 0; any misuse exits 2 (as getopt's tools do), after CLI11's
    // message naming the problem.
    return app.exit(e) == 0 ? 0 : kExitBadConfig;
  }

  if (*serve_cmd) return run_serve(serve);
  if (*check_cmd) return run_check(check_path);
  if (*backup_cmd) return run_backup(backup);
  if (*agent_cmd) return run_agent(agent);
  if (*report_cmd) return run_report(report);
  if (*status_cmd) {
    if (!status.token)
      if (const char* t = std::getenv("FLEETGATE_TOKEN"); t && *t) status.token = t;
    return run_status(status);
  }
  if (*requests_cmd) {
    if (!requests.token)
      if (const char* t = std::getenv("FLEETGATE_TOKEN"); t && *t) requests.token = t;
    return run_requests(requests);
  }
  if (*process_cmd) {
    if (!proc.token)
      if (const char* t = std::getenv("FLEETGATE_TOKEN"); t && *t) proc.token = t;
    return run_process_command(proc);
  }
  if (*sim_cmd) {
    if (!parse_csv(models, sim.sim.models)) {
      spdlog::error("--models: give at least one name");
      return kExitBadConfig;
    }
    // As llama.cpp -m PATH: --models are its --alias names, and without any it lists the path.
    if (!sim.sim.model_path.empty() && sim_cmd->count("--models") == 0) sim.sim.models.clear();
    auto d = parse_duration(ttft);
    if (!d) {
      spdlog::error("--ttft {}: not a duration (e.g. 200ms)", ttft);
      return kExitBadConfig;
    }
    sim.sim.ttft = *d;
    return run_sim(sim);
  }
  return kExitBadConfig;
}
