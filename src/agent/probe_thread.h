// Runs the supervisor's HTTP probes (readiness and liveness URLs) on a thread of its own, so a
// slow probe never holds up a restart. The supervisor decides when to probe; this only
// executes, one probe at a time, and hands back each result with the key it was given.
#pragma once

#include "config/url.h"
#include "core/units.h"

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace fleetgate {

struct ProbeJob {
  std::uint64_t key = 0;  // the caller's: which process, which kind, which run
  Url url;
  Duration timeout{0};
};

struct ProbeOutcome {
  std::uint64_t key = 0;
  bool ok = false;     // a 2xx answer
  std::string detail;  // why not
};

class ProbeThread {
 public:
  // `wake` is called (from the probe thread) when results are ready and no job is left.
  explicit ProbeThread(std::function<void()> wake);
  ~ProbeThread();
  ProbeThread(const ProbeThread&) = delete;
  ProbeThread& operator=(const ProbeThread&) = delete;

  void submit(ProbeJob job);
  std::vector<ProbeOutcome> take();

 private:
  void run();

  std::function<void()> wake_;
  std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<ProbeJob> jobs_;
  std::vector<ProbeOutcome> done_;
  bool stopping_ = false;
  std::thread thread_;  // last: starts after everything above exists
};

}  // namespace fleetgate
