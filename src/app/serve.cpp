#include "app/commands.h"
#include "app/daemon.h"
#include "config/check_summary.h"
#include "config/loader.h"

#include <spdlog/spdlog.h>

#include <malloc.h>

#include <cstdio>

namespace fleetgate {

namespace {

std::optional<Config> load_and_report(const std::string& path) {
  auto loaded = load_config_file(path);
  if (!loaded) {  // the errors and the warnings beside them, in file order
    for (const auto& issue : loaded.error()) {
      if (issue.warning)
        spdlog::warn("{}", issue.str());
      else
        spdlog::error("{}", issue.str());
    }
    return std::nullopt;
  }
  for (const auto& w : loaded->warnings) spdlog::warn("{}", w.str());
  if (loaded->deployments.empty() && !loaded->skipped.empty())
    spdlog::warn("{}", summarize_check(loaded, path).line);
  return std::move(*loaded);
}

}  // namespace

int run_check(const std::string& config_path) {
  auto loaded = load_config_file(config_path);
  // Everything on stdout, one problem a line, so that `fleetgate check` reads like a compiler.
  for (const auto& issue : loaded ? loaded->warnings : loaded.error())
    std::printf("%s\n", issue.str().c_str());
  const CheckSummary summary = summarize_check(loaded, config_path);
  std::printf("%s\n", summary.line.c_str());
  return summary.exit_code;
}

int run_serve(const ServeOptions& options) {
  // glibc raises its mmap threshold to the size of each large block freed, after which large
  // request bodies come from the heap and their memory is never returned: fix it at 1 MiB, so a
  // burst of large prompts does not stay resident after its connections go idle.
  mallopt(M_MMAP_THRESHOLD, 1 << 20);
  auto config = load_and_report(options.config_path);
  if (!config) return kExitBadConfig;
  // As the file says, before the command line and the core count override them: a reload of
  // an unchanged file changes neither.
  const Endpoint file_listen = config->gateway.listen;
  const unsigned file_threads = config->gateway.threads;
  if (options.listen) {
    std::string problem;
    auto hp = parse_host_port(*options.listen, problem);
    if (!hp) {
      spdlog::error("--listen {}: {}", *options.listen, problem);
      return kExitBadConfig;
    }
    config->gateway.listen = Endpoint{hp->host, hp->port};
  }
  if (options.threads) config->gateway.threads = *options.threads;
  const auto& g = config->gateway;
  if (!is_loopback_host(g.listen.host) && !config->master_key) {
    spdlog::error("refusing to listen on {} (beyond loopback) without general_settings.master_key",
                  g.listen.host);
    return kExitBadConfig;
  }
  auto daemon = ServeDaemon::open(
      std::move(*config), {options.config_path, options.data_path, file_listen, file_threads});
  if (!daemon) {
    spdlog::error("{}", daemon.error().message);
    return kExitFailure;
  }
  auto port = (*daemon)->start();
  if (!port) {
    spdlog::error("{}", port.error().message);
    return kExitFailure;
  }
  const Config& running = (*daemon)->config();
  spdlog::info("fleetgate listening on {} ({} threads, {} deployments, {} models)",
               (*daemon)->url(), running.gateway.threads, running.deployments.size(),
               (*daemon)->model_count());
  (*daemon)->serve_until_signalled();
  return kExitOk;
}

}  // namespace fleetgate
