// Polling for what a real process does in its own time: bounded, never a bare sleep.
#pragma once

#include <chrono>
#include <thread>

namespace fleetgate::test {

// Polls `f` every 50 ms until it holds, at most `within`; then its last answer.
template <class F>
bool eventually(F f, std::chrono::milliseconds within = std::chrono::seconds(6)) {
  const auto until = std::chrono::steady_clock::now() + within;
  while (std::chrono::steady_clock::now() < until) {
    if (f()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return f();
}

}  // namespace fleetgate::test
