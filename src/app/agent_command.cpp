// `fleetgate agent`: supervises the declared processes on the main thread and sends heartbeats
// (this machine's figures and the processes' states) from a thread of its own, so a slow or
// absent control plane never holds up a restart.
#include "agent/node_sampler.h"
#include "agent/supervisor.h"
#include "app/commands.h"
#include "config/loader.h"
#include "net/http_call.h"

#include <spdlog/spdlog.h>

#include <condition_variable>
#include <csignal>
#include <mutex>
#include <thread>

#include <unistd.h>

namespace fleetgate {

int run_agent(const AgentOptions& options) {
  auto loaded = load_config_file(options.config_path);
  if (!loaded) {
    for (const auto& issue : loaded.error()) spdlog::error("{}", issue.str());
    return kExitBadConfig;
  }
  AgentSettings a = loaded->agent;
  if (a.node.empty()) {
    char host[256] = {};
    ::gethostname(host, sizeof host - 1);
    a.node = host;
  }
  if (!a.token) a.token = loaded->fleet.token ? loaded->fleet.token : loaded->master_key;
  std::string problem;
  const auto server = parse_url(a.server, problem);
  if (!server) {
    spdlog::error("agent.server {}: {}", a.server, problem);
    return kExitBadConfig;
  }

  // SIGTERM/SIGINT end the loop; they are taken by a thread of their own (sigwait).
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  std::mutex mutex;
  std::condition_variable cv;
  bool stopping = false;
  std::thread waiter([&] {
    int signo = 0;
    sigwait(&stop_signals, &signo);
    std::lock_guard lock(mutex);
    stopping = true;
    cv.notify_all();
  });

  std::vector<ProcessSpec> specs;
  for (const auto& p : a.processes) {
    ProcessSpec spec;
    spec.name = p.name;
    spec.argv = p.command;
    spec.env = p.env;
    spec.cwd = p.cwd;
    spec.restart.policy = parse_restart_policy(p.restart).value_or(RestartPolicy::Always);
    spec.restart.backoff_initial = p.backoff_initial;
    spec.restart.backoff_max = p.backoff_max;
    spec.restart.stable_after = p.stable_after;
    spec.restart.max_failures = p.max_failures;
    spec.restart.failure_window = p.failure_window;
    spec.stop_timeout = p.stop_timeout;
    spec.log_path = p.log.empty() ? a.log_dir + "/" + p.name + ".log" : p.log;
    spec.log_max_bytes = p.log_max_size;
    specs.push_back(std::move(spec));
  }
  Supervisor supervisor(std::move(specs));

  spdlog::info("fleetgate agent for node {} reporting to {} every {} ({} processes)", a.node,
               a.server, format_duration(a.period), a.processes.size());
  std::thread heartbeats([&] {
    const double period_s = static_cast<double>(a.period.count()) / 1000;
    bool failing = false;
    Duration backoff = std::chrono::seconds(1);
    std::unique_lock lock(mutex);
    while (!stopping) {
      lock.unlock();
      NodeSample s = sample_node(a.mounts);
      s.node = a.node;
      s.agent_version = "0.1.0";
      s.period_s = period_s;
      s.processes = supervisor.samples();
      auto sent = http_call(*server, "POST", "/fleet/v1/heartbeat", heartbeat_json(s), a.token,
                            std::min<Duration>(a.period, std::chrono::seconds(5)));
      Duration wait = a.period;
      if (!sent) {
        // Sooner than the period while the control plane is away, with backoff.
        if (!failing) spdlog::warn("heartbeat to {} failed: {}", a.server, sent.error().message);
        failing = true;
        wait = std::min(a.period, backoff);
        backoff = std::min<Duration>(backoff * 2, a.period);
      } else {
        if (failing) spdlog::info("heartbeats to {} flow again", a.server);
        failing = false;
        backoff = std::chrono::seconds(1);
      }
      lock.lock();
      cv.wait_for(lock, wait, [&] { return stopping; });
    }
  });

  supervisor.start_all();
  for (;;) {
    {
      std::lock_guard lock(mutex);
      if (stopping) break;
    }
    supervisor.poll(std::chrono::milliseconds(100));
  }
  supervisor.stop_all();
  heartbeats.join();
  waiter.join();
  spdlog::info("agent stopped");
  return kExitOk;
}

}  // namespace fleetgate
