// What fleetgate's children get, read from /proc: supervised processes and exec notifiers
// inherit no file descriptor but their stdin, stdout and stderr, and no secret from fleetgate's
// environment unless their config names it; an unhealthy process is restarted through the
// backoff; what fleetgate writes of others' files keeps their permissions; the store is 0600.
#include "support/child_process.h"
#include "support/eventually.h"
#include "support/fleet.h"
#include "support/http_client.h"
#include "support/webhook_receiver.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

#include <sys/stat.h>

namespace fleetgate::test {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

std::string fresh_dir(const std::string& name) {
  const std::string dir = ::testing::TempDir() + name + std::to_string(::getpid());
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// The descriptors a process has open, as their numbers.
std::vector<std::string> open_fds(int pid) {
  std::vector<std::string> fds;
  for (const auto& e : fs::directory_iterator("/proc/" + std::to_string(pid) + "/fd"))
    fds.push_back(e.path().filename().string());
  std::sort(fds.begin(), fds.end());
  return fds;
}

unsigned mode_of(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 ? (st.st_mode & 0777) : 01000;
}

// Secrets in fleetgate's own environment, which its children must not see.
void set_secrets() {
  ::setenv("OPENAI_API_KEY", "sk-secret-openai-123", 1);
  ::setenv("FLEET_TOKEN", "secret-fleet-token-456", 1);
  ::setenv("LITELLM_MASTER_KEY", "sk-secret-master-789", 1);
}

}  // namespace

TEST(Children, ASupervisedProcessGetsOnlyItsStdioAndItsConfiguredEnvironment) {
  set_secrets();
  const std::string dir = fresh_dir("children-agent");
  const auto server = reserve_port();
  const std::string config = write_config(
      "model_list: []\nfleet: {token: os.environ/FLEET_TOKEN}\n"
      "agent:\n  node: box\n  server: http://127.0.0.1:" +
      std::to_string(server) + "\n  period: 1s\n  mounts: [/]\n  log_dir: " + dir +
      "\n  processes:\n    - name: worker\n      command: [sh, -c, 'echo $$ > " + dir +
      "/pid; exec sleep 600']\n      env: {MY_SETTING: '1', NAMED_KEY: "
      "os.environ/OPENAI_API_KEY}\n");
  ChildProcess serve({FLEETGATE_BINARY, "serve", "--config", config, "--listen",
                      "127.0.0.1:" + std::to_string(server), "--threads", "1", "--data",
                      config + ".db"});
  ASSERT_TRUE(serve.wait_for("fleetgate listening")) << serve.output();
  ChildProcess agent({FLEETGATE_BINARY, "agent", "--config", config});
  // The agent's control connection is open by the time the process runs.
  ASSERT_TRUE(agent.wait_for("process worker started")) << agent.output();
  int pid = 0;
  ASSERT_TRUE(eventually(
      [&] {
        const std::string text = read_text(dir + "/pid");
        if (text.empty()) return false;
        pid = std::stoi(text);
        return open_fds(pid).size() > 0 &&
               read_text("/proc/" + std::to_string(pid) + "/comm").starts_with("sleep");
      },
      5s));
  std::this_thread::sleep_for(1500ms);  // heartbeats and the long poll are under way
  EXPECT_EQ(open_fds(pid), (std::vector<std::string>{"0", "1", "2"}));
  std::string env = read_text("/proc/" + std::to_string(pid) + "/environ");
  std::replace(env.begin(), env.end(), '\0', '\n');
  EXPECT_NE(env.find("MY_SETTING=1\n"), std::string::npos) << env;
  EXPECT_NE(env.find("NAMED_KEY=sk-secret-openai-123\n"), std::string::npos) << env;  // named
  EXPECT_NE(env.find("PATH="), std::string::npos) << env;
  EXPECT_EQ(env.find("OPENAI_API_KEY"), std::string::npos) << env;
  EXPECT_EQ(env.find("secret-fleet-token-456"), std::string::npos) << env;
  EXPECT_EQ(env.find("sk-secret-master-789"), std::string::npos) << env;
}

TEST(Children, AnExecNotifierGetsNoSocketNorSecret) {
  set_secrets();
  const std::string dir = fresh_dir("children-exec");
  auto gw = start_gateway(
      "model_list: []\ngeneral_settings: {master_key: os.environ/LITELLM_MASTER_KEY}\n"
      "fleet:\n  checks:\n    - {name: job, period: 1s, grace: 1s}\n  alerts:\n    receivers:\n"
      "      - name: script\n        exec: [sh, -c, 'ls -l /proc/$$/fd > " +
      dir + "/fds; env > " + dir + "/env; cat > /dev/null']\n");
  // A client connection stays open while the notifier runs: a socket it could inherit.
  RawConnection open_client(gw.port);
  ASSERT_TRUE(open_client.send(keepalive_get("/health/liveliness")));
  ASSERT_EQ(http_request(gw.port, "GET", "/ping/job").status, 200);
  ASSERT_TRUE(eventually([&] { return !read_text(dir + "/env").empty(); }, 8s))
      << gw.process->output();
  std::this_thread::sleep_for(200ms);
  // The shell keeps a copy of its stdin (fd 10 in dash); what matters is where each points:
  // no socket, no event loop, no store, no log file of ours.
  const std::string fds = read_text(dir + "/fds");
  EXPECT_NE(fds.find(" 0 -> "), std::string::npos) << fds;
  for (const char* leak : {"socket:", "anon_inode:", ".db", ".yaml", "eventfd", "eventpoll"})
    EXPECT_EQ(fds.find(leak), std::string::npos) << leak << " in\n" << fds;
  const std::string env = read_text(dir + "/env");
  EXPECT_EQ(env.find("sk-secret"), std::string::npos) << env;
  EXPECT_EQ(env.find("secret-fleet-token"), std::string::npos) << env;
  EXPECT_NE(env.find("PATH="), std::string::npos) << env;
}

// Every descriptor of a running server above stderr is close-on-exec (fdinfo's flags carry
// O_CLOEXEC, 02000000 octal): the listeners, a client connection, a pooled backend connection,
// the store, the access log, the event loops. A fork anywhere in the process leaks nothing.
TEST(Children, EveryDescriptorOfTheServerIsCloseOnExec) {
  auto sim = start_sim({"--models", "m"});
  const std::string dir = fresh_dir("children-cloexec");
  auto gw = start_gateway("model_list:\n" + deployment("m", "openai/m", sim.port) +
                          "fleetgate: {access_log: " + dir + "/access.log}\n");
  RawConnection open_client(gw.port);
  ASSERT_TRUE(open_client.send(keepalive_get("/health/liveliness")));
  ASSERT_EQ(http_request(gw.port, "POST", "/v1/chat/completions",
                         R"({"model":"m","messages":[{"role":"user","content":"hi"}]})")
                .status,
            200);
  const std::string proc = "/proc/" + std::to_string(gw.process->pid());
  int sockets = 0, checked = 0;
  for (const auto& fd : open_fds(gw.process->pid())) {
    if (std::stoi(fd) <= 2) continue;
    const std::string info = read_text(proc + "/fdinfo/" + fd);
    std::smatch m;
    if (!std::regex_search(info, m, std::regex("flags:\\s*([0-7]+)"))) continue;  // closed since
    const auto flags = std::stoul(m[1].str(), nullptr, 8);
    std::error_code ec;
    const std::string target = fs::read_symlink(proc + "/fd/" + fd, ec).string();
    EXPECT_NE(flags & 02000000, 0u)
        << "fd " << fd << " -> " << target << " is inherited by children";
    if (target.starts_with("socket:")) ++sockets;
    ++checked;
  }
  EXPECT_GE(sockets, 3) << "a listener, the client's connection and the backend's";
  EXPECT_GE(checked, 6);
}

// With liveness_failures: 1 and a probe that always fails, the review counted 3,318 restarts in
// 13 s. A restart for ill health is a failed run: the backoff applies, then FATAL.
TEST(Children, AnUnhealthyProcessIsRestartedThroughTheBackoff) {
  const std::string dir = fresh_dir("children-liveness");
  const auto server = reserve_port();
  const auto nobody = reserve_port();  // the liveness URL: nothing ever answers
  const std::string config = write_config(
      "model_list: []\nagent:\n  node: box\n  server: http://127.0.0.1:" + std::to_string(server) +
      "\n  period: 1s\n  mounts: [/]\n  log_dir: " + dir +
      "\n  processes:\n    - name: worker\n      command: [sleep, '600']\n"
      "      backoff_initial: 200ms\n      stop_timeout: 1s\n      liveness_url: "
      "http://127.0.0.1:" +
      std::to_string(nobody) +
      "/health\n      liveness_period: 50ms\n      liveness_timeout: 100ms\n"
      "      liveness_failures: 1\n");
  ChildProcess agent({FLEETGATE_BINARY, "agent", "--config", config});
  ASSERT_TRUE(agent.wait_for("process worker started")) << agent.output();
  std::this_thread::sleep_for(3s);
  const std::string out = agent.output();
  std::size_t starts = 0;
  for (auto at = out.find("process worker started"); at != std::string::npos;
       at = out.find("process worker started", at + 1))
    ++starts;
  // 0, +0.2, +0.4, +0.8, +1.6 s of backoff, each after a probe and a stop: at most five.
  EXPECT_GE(starts, 3u) << out;
  EXPECT_LE(starts, 5u) << out;
  EXPECT_TRUE(std::regex_search(out, std::regex("process worker ended after liveness failures: "
                                                "killed by SIGTERM; now backoff \\(restart in")))
      << out;
  EXPECT_TRUE(agent.wait_for("process worker ended after liveness failures: .*; now fatal", 10s))
      << agent.output();
}

TEST(Children, FilesKeepTheirPermissions) {
  const std::string dir = fresh_dir("children-modes");
  const std::string conf = dir + "/worker.conf";
  std::ofstream(conf) << "secret: yes\n";
  ::chmod(conf.c_str(), 0600);
  const auto server = reserve_port();
  const std::string config = write_config(
      "model_list: []\nagent:\n  node: box\n  server: http://127.0.0.1:" + std::to_string(server) +
      "\n  period: 1s\n  mounts: [/]\n  log_dir: " + dir +
      "\n  processes:\n    - name: worker\n      command: [sleep, '600']\n"
      "      stable_after: 300ms\n      config_file: " +
      conf + "\n");
  ChildProcess agent({FLEETGATE_BINARY, "agent", "--config", config});
  ASSERT_TRUE(agent.wait_for("known-good copy of .*worker.conf kept", 10s)) << agent.output();
  EXPECT_EQ(mode_of(dir + "/snapshots/worker.good"), 0600u);
  EXPECT_EQ(read_text(dir + "/snapshots/worker.good"), "secret: yes\n");

  // The store, and a backup of it, are the owner's alone.
  const std::string data = dir + "/fleet.db";
  auto gw = start_gateway_from(write_config("model_list: []\n"), data);
  EXPECT_EQ(mode_of(data), 0600u);
  ASSERT_EQ(http_request(gw.port, "GET", "/ping/anything").status, 404);
  EXPECT_EQ(run({"backup", "--data", data, "--output", dir + "/copy.db"}), 0);
  EXPECT_EQ(mode_of(dir + "/copy.db"), 0600u);
  for (const char* suffix : {"-wal", "-shm"}) {
    if (fs::exists(data + suffix)) {
      EXPECT_EQ(mode_of(data + suffix), 0600u) << suffix;
    }
  }
}

}  // namespace fleetgate::test
