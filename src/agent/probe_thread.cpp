#include "agent/probe_thread.h"

#include "net/http_call.h"

namespace fleetgate {

ProbeThread::ProbeThread(std::function<void()> wake)
    : wake_(std::move(wake)), thread_([this] { run(); }) {}

ProbeThread::~ProbeThread() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void ProbeThread::submit(ProbeJob job) {
  {
    std::lock_guard lock(mutex_);
    jobs_.push_back(std::move(job));
  }
  cv_.notify_all();
}

std::vector<ProbeOutcome> ProbeThread::take() {
  std::lock_guard lock(mutex_);
  return std::exchange(done_, {});
}

void ProbeThread::run() {
  std::unique_lock lock(mutex_);
  for (;;) {
    cv_.wait(lock, [&] { return stopping_ || !jobs_.empty(); });
    if (stopping_) return;
    ProbeJob job = std::move(jobs_.front());
    jobs_.pop_front();
    lock.unlock();
    auto answer = http_call(job.url, "GET", "", "", std::nullopt, job.timeout);
    ProbeOutcome o{job.key, answer.has_value(), answer ? std::string() : answer.error().message};
    lock.lock();
    done_.push_back(std::move(o));
    if (!jobs_.empty()) continue;  // one wake for a batch
    lock.unlock();
    wake_();
    lock.lock();
  }
}

}  // namespace fleetgate
