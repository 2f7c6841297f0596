// A child process for integration tests: started with posix_spawn, output captured by a reader
// thread, killed (whole process group) when the test ends.
#pragma once

#include <chrono>
#include <mutex>
#include <optional>
#include <regex>
#include <string>
#include <thread>
#include <vector>

namespace fleetgate::test {

class ChildProcess {
 public:
  explicit ChildProcess(std::vector<std::string> argv);
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  // Waits until combined stdout+stderr matches `pattern`; returns the first capture group (or
  // the whole match), or nullopt after `timeout` or when the process exited.
  std::optional<std::string> wait_for(const std::string& pattern,
                                      std::chrono::milliseconds timeout = std::chrono::seconds(10));
  // Sends `signo` and waits for the exit status (nullopt after `timeout`).
  std::optional<int> stop(int signo, std::chrono::milliseconds timeout = std::chrono::seconds(10));
  std::optional<int> wait_exit(std::chrono::milliseconds timeout);
  std::string output();
  int pid() const { return pid_; }

 private:
  int pid_ = -1;
  int out_fd_ = -1;
  std::thread reader_;
  std::mutex mutex_;
  std::string output_;
  std::optional<int> status_;
};

// Starts `fleetgate sim` on an ephemeral port; returns its port.
struct Sim {
  std::unique_ptr<ChildProcess> process;
  std::uint16_t port = 0;
};
Sim start_sim(std::vector<std::string> extra_args = {});

// Runs `fleetgate <args>` to its end and returns its exit status; `output` gets what it printed.
// A command still running after `limit` throws (the test fails): a hang is never taken for a
// non-zero exit.
int run(std::vector<std::string> args, std::string* output = nullptr,
        std::chrono::milliseconds limit = std::chrono::seconds(10));

}  // namespace fleetgate::test
