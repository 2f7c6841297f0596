#include "app/agent_daemon.h"

#include "agent/node_sampler.h"
#include "agent/supervisor.h"
#include "control/agent_channel.h"
#include "net/http_call.h"

#include <spdlog/spdlog.h>

#include <atomic>
#include <condition_variable>
#include <csignal>
#include <mutex>
#include <optional>
#include <thread>

namespace fleetgate {

namespace {

constexpr std::size_t kMaxUnsentActions = 1000;

std::vector<ProcessSpec> process_specs(const AgentSettings& a) {
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
    spec.on_demand = p.on_demand;
    spec.idle_stop_after = p.idle_stop_after;
    spec.exclusive = p.exclusive;
    std::string problem;  // the loader checked both URLs
    if (!p.ready_url.empty()) spec.ready_url = parse_url(p.ready_url, problem);
    if (!p.liveness_url.empty()) spec.liveness_url = parse_url(p.liveness_url, problem);
    spec.ready_timeout = p.ready_timeout;
    spec.liveness_period = p.liveness_period;
    spec.liveness_timeout = p.liveness_timeout;
    spec.liveness_failures = p.liveness_failures;
    spec.config_file = p.config_file;
    spec.snapshot_path = a.log_dir + "/snapshots/" + p.name + ".good";
    spec.restore_config = p.restore_config;
    specs.push_back(std::move(spec));
  }
  return specs;
}

// How long the control plane may hold a poll: short enough that "in use" news reaches the
// idle clocks well within the shortest idle_stop_after.
Duration poll_wait(const AgentSettings& a) {
  Duration wait = std::chrono::seconds(20);
  for (const auto& p : a.processes)
    if (p.idle_stop_after) wait = std::min(wait, *p.idle_stop_after / 4);
  return std::max<Duration>(wait, std::chrono::seconds(1));
}

}  // namespace

struct AgentDaemon::Parts {
  Parts(AgentSettings settings, Url url) : a(std::move(settings)), server(std::move(url)) {}

  void heartbeat_loop();
  void control_loop();

  const AgentSettings a;
  const Url server;
  std::mutex mutex;
  std::condition_variable cv;
  bool stopping = false;                 // guarded by mutex
  bool send_now = false;                 // guarded by mutex
  std::atomic<bool> abandon{false};      // ends a long poll in flight at shutdown
  Supervisor* supervising = nullptr;     // guarded by mutex: woken at shutdown
  std::optional<Supervisor> supervisor;  // made once the signals are blocked
};

void AgentDaemon::Parts::heartbeat_loop() {
  const double period_s = static_cast<double>(a.period.count()) / 1000;
  bool failing = false;
  Duration backoff = std::chrono::seconds(1);
  std::vector<ActionRecord> unsent;
  std::unique_lock lock(mutex);
  while (!stopping) {
    send_now = false;
    lock.unlock();
    NodeSample s = sample_node(a.mounts);
    s.node = a.node;
    s.agent_version = "0.1.0";
    s.period_s = period_s;
    s.processes = supervisor->samples();
    for (auto& r : supervisor->take_actions()) unsent.push_back(std::move(r));
    if (unsent.size() > kMaxUnsentActions)
      unsent.erase(unsent.begin(), unsent.end() - kMaxUnsentActions);
    s.actions = unsent;
    auto sent = http_call(server, "POST", "/fleet/v1/heartbeat", heartbeat_json(s), a.token,
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
      unsent.clear();
    }
    lock.lock();
    cv.wait_for(lock, wait, [&] { return stopping || (send_now && !failing); });
    // Changes come in bursts (a group stops, another starts): one heartbeat for them.
    if (send_now) cv.wait_for(lock, std::chrono::milliseconds(50), [&] { return stopping; });
  }
}

void AgentDaemon::Parts::control_loop() {
  const Duration wait = poll_wait(a);
  const std::string target =
      "/fleet/v1/agents/" + a.node + "/commands?wait_ms=" + std::to_string(wait.count());
  bool failing = false;
  Duration backoff = std::chrono::seconds(1);
  std::unique_lock lock(mutex);
  while (!stopping) {
    lock.unlock();
    auto answer =
        http_call(server, "GET", target, "", a.token, wait + std::chrono::seconds(5), &abandon);
    Result<ControlReply> reply = answer ? parse_control_reply(*answer) : answer.error();
    Duration pause{0};
    if (!reply) {
      if (!failing && !abandon)
        spdlog::warn("command poll to {} failed: {}", a.server, reply.error().message);
      failing = true;
      pause = backoff;
      backoff = std::min<Duration>(backoff * 2, a.period);
    } else {
      if (failing) spdlog::info("command poll to {} works again", a.server);
      failing = false;
      backoff = std::chrono::seconds(1);
      for (const auto& u : reply->unknown)
        spdlog::warn("control plane asked for {}: an action this agent does not know", u);
      for (auto& c : reply->commands)
        supervisor->submit({c.process, c.action, c.reason, c.recovery});
      supervisor->mark_used(reply->in_use);
      supervisor->mark_unhealthy(reply->unhealthy);
    }
    lock.lock();
    if (pause.count() > 0) cv.wait_for(lock, pause, [&] { return stopping; });
  }
}

AgentDaemon::AgentDaemon(AgentSettings settings, Url server)
    : parts_(std::make_unique<Parts>(std::move(settings), std::move(server))) {}

AgentDaemon::~AgentDaemon() = default;

void AgentDaemon::run_until_signalled() {
  Parts& p = *parts_;
  // SIGTERM/SIGINT end the loop; they are taken by a thread of their own (sigwait).
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  // SIGCHLD is blocked too, in every thread (they inherit the mask): the supervisor takes it
  // from a signalfd, so child exits wake its loop without polling.
  sigset_t blocked = stop_signals;
  sigaddset(&blocked, SIGCHLD);
  pthread_sigmask(SIG_BLOCK, &blocked, nullptr);
  std::thread waiter([&p, &stop_signals] {
    int signo = 0;
    sigwait(&stop_signals, &signo);
    std::lock_guard lock(p.mutex);
    p.stopping = true;
    p.abandon = true;
    p.cv.notify_all();
    if (p.supervising) p.supervising->wake();
  });

  // A state change is told at once, not at the next period: the gateway may be waiting on it.
  p.supervisor.emplace(process_specs(p.a), [&p] {
    std::lock_guard lock(p.mutex);
    p.send_now = true;
    p.cv.notify_all();
  });
  {
    std::lock_guard lock(p.mutex);
    p.supervising = &*p.supervisor;
  }
  spdlog::info("fleetgate agent for node {} reporting to {} every {} ({} processes)", p.a.node,
               p.a.server, format_duration(p.a.period), p.a.processes.size());
  std::thread heartbeats([&p] { p.heartbeat_loop(); });
  std::thread control([&p] { p.control_loop(); });

  p.supervisor->start_all();
  for (;;) {
    {
      std::lock_guard lock(p.mutex);
      if (p.stopping) break;
    }
    p.supervisor->poll(std::chrono::seconds(5));  // woken sooner by exits, commands, probes
  }
  {
    std::lock_guard lock(p.mutex);
    p.supervising = nullptr;
  }
  p.supervisor->stop_all();
  heartbeats.join();
  control.join();
  waiter.join();
  spdlog::info("agent stopped");
}

}  // namespace fleetgate
