// `fleetgate report`, `status` and `backup`: the fleet's state from the store or the server.
#include "app/commands.h"
#include "config/loader.h"
#include "config/url.h"
#include "fleet/request_query.h"
#include "net/http_call.h"
#include "report/phase_report.h"
#include "report/status_table.h"
#include "store/store.h"

#include <spdlog/spdlog.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include <unistd.h>

namespace fleetgate {

namespace {

bool write_output(const std::string& text, const std::optional<std::string>& path) {
  if (!path) {
    std::cout << text;
    return static_cast<bool>(std::cout.flush());
  }
  std::ofstream out(*path, std::ios::binary | std::ios::trunc);
  out << text;
  if (!out.flush()) {
    spdlog::error("--output {}: cannot write: {}", *path, std::strerror(errno));
    return false;
  }
  return true;
}

}  // namespace

int run_backup(const BackupOptions& o) {
  std::error_code ec;
  if (std::filesystem::equivalent(o.data_path, o.output, ec)) {
    spdlog::error("--output must not be the store itself");
    return kExitBadConfig;
  }
  if (std::filesystem::exists(o.output, ec)) {
    spdlog::error("--output {}: already exists; give a new file", o.output);
    return kExitBadConfig;
  }
  auto store = Store::open(o.data_path, true);
  if (!store) {
    spdlog::error("--data {}: {}", o.data_path, store.error().message);
    return kExitFailure;
  }
  if (auto done = (*store)->backup(o.output); !done) {
    spdlog::error("{}", done.error().message);
    return kExitFailure;
  }
  spdlog::info("backed up {} to {}", o.data_path, o.output);
  return kExitOk;
}

int run_report(const ReportOptions& o) {
  PhaseSnapshot snap;
  if (o.snapshot) {
    std::ifstream in(*o.snapshot, std::ios::binary);
    if (!in) {
      spdlog::error("--snapshot {}: cannot read: {}", *o.snapshot, std::strerror(errno));
      return kExitBadConfig;
    }
    std::stringstream text;
    text << in.rdbuf();
    auto parsed = parse_snapshot(text.str());
    if (!parsed) {
      spdlog::error("--snapshot {}: {}", *o.snapshot, parsed.error().message);
      return kExitBadConfig;
    }
    snap = std::move(*parsed);
  } else {
    FleetSettings settings;
    if (o.config_path) {
      auto loaded = load_config_file(*o.config_path);
      if (!loaded) {
        for (const auto& issue : loaded.error()) spdlog::error("{}", issue.str());
        return kExitBadConfig;
      }
      settings = loaded->fleet;
    }
    if (!std::filesystem::exists(o.data_path)) {
      spdlog::error("--data {}: no such store (run fleetgate serve first, or give --snapshot)",
                    o.data_path);
      return kExitFailure;
    }
    auto store = Store::open(o.data_path, true);
    if (!store) {
      spdlog::error("--data {}: {}", o.data_path, store.error().message);
      return kExitFailure;
    }
    snap = build_snapshot(**store, settings, system_clock().wall());
  }
  const std::string text = o.json ? snapshot_json(snap) : render_markdown(snap);
  return write_output(text, o.output) ? kExitOk : kExitFailure;
}

namespace {

// One call to the server named by --url; on failure says why and gives the exit code.
Result<std::string> call_server(const std::string& url_text, const std::string& method,
                                const std::string& path, const std::optional<std::string>& token,
                                int& exit_code) {
  std::string problem;
  auto url = parse_url(url_text, problem);
  if (!url) {
    spdlog::error("--url {}: {}", url_text, problem);
    exit_code = kExitBadConfig;
    return Error(Errc::BadRequest, problem);
  }
  auto body = http_call(*url, method, path, "", token, std::chrono::seconds(10));
  if (!body) {
    spdlog::error("{}: {}", url_text, body.error().message);
    exit_code = kExitFailure;
  }
  return body;
}

}  // namespace

int run_status(const StatusOptions& o) {
  int code = kExitOk;
  auto body = call_server(o.url, "GET", "/fleet/v1/status", o.token, code);
  if (!body) return code;
  if (o.json) {
    std::cout << *body << "\n";
    return kExitOk;
  }
  auto table = render_status(*body, ::isatty(STDOUT_FILENO) != 0);
  if (!table) {
    spdlog::error("{}: {}", o.url, table.error().message);
    return kExitFailure;
  }
  std::cout << *table;
  return kExitOk;
}

int run_requests(const RequestsOptions& o) {
  std::string path =
      "/fleet/v1/requests?since=" + percent_encode(o.since) + "&limit=" + std::to_string(o.limit);
  if (o.failed) path += "&failed=1";
  if (!o.model.empty()) path += "&model=" + percent_encode(o.model);
  if (!o.deployment.empty()) path += "&deployment=" + percent_encode(o.deployment);
  if (o.status) path += "&status=" + std::to_string(o.status);
  int code = kExitOk;
  auto body = call_server(o.url, "GET", path, o.token, code);
  if (!body) return code;
  std::cout << *body;
  return kExitOk;
}

int run_process_command(const ProcessCommandOptions& o) {
  const auto slash = o.target.find('/');
  if (slash == std::string::npos || slash == 0 || slash + 1 == o.target.size()) {
    spdlog::error("{}: expected NODE/PROCESS, e.g. gpu1/vllm", o.target);
    return kExitBadConfig;
  }
  const std::string path = "/fleet/v1/agents/" + o.target.substr(0, slash) + "/processes/" +
                           o.target.substr(slash + 1) + "/" + o.action;
  int code = kExitOk;
  auto body = call_server(o.url, "POST", path, o.token, code);
  if (!body) return code;
  if (body->find("\"agent_connected\":false") != std::string::npos) {
    std::cout << o.action << " of " << o.target
              << " queued, but that node's agent is not connected now (dropped after 2 minutes)\n";
    return kExitFailure;
  }
  std::cout << o.action << " of " << o.target << " sent to its agent\n";
  return kExitOk;
}

}  // namespace fleetgate
