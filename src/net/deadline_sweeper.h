// Coarse per-thread deadlines: owners stamp a deadline before each wait, one timer sweeps them all.
// Cheaper than re-arming a timer per read (no timerfd system calls on the hot path); precise to one
// tick. The timer runs only while some watch is armed, so an idle process does not wake up.
#pragma once

#include "core/clock.h"
#include "core/coarse_clock.h"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/intrusive/list.hpp>

#include <chrono>
#include <functional>

namespace fleetgate {

class DeadlineSweeper;

using WatchHook =
    boost::intrusive::list_base_hook<boost::intrusive::link_mode<boost::intrusive::auto_unlink>>;

// One deadline. Thread affinity: the sweeper's thread only.
class DeadlineWatch : public WatchHook {
 public:
  using Clock = CoarseClock;

  // `on_expire` runs on the sweeper's thread when the armed deadline passes; it typically closes
  // a socket so the pending operation fails.
  DeadlineWatch(DeadlineSweeper& sweeper, std::function<void()> on_expire)
      : sweeper_(&sweeper), on_expire_(std::move(on_expire)) {}
  DeadlineWatch(const DeadlineWatch&) = delete;
  DeadlineWatch& operator=(const DeadlineWatch&) = delete;

  void arm(Clock::duration timeout);  // from now on the sweeper's clock
  void arm_at(Clock::time_point deadline);
  void disarm() { unlink(); }
  bool expired() const { return expired_; }
  void clear_expired() { expired_ = false; }
  DeadlineSweeper& sweeper() const { return *sweeper_; }

 private:
  friend class DeadlineSweeper;
  DeadlineSweeper* sweeper_;
  std::function<void()> on_expire_;
  Clock::time_point deadline_{};
  bool expired_ = false;
};

class DeadlineSweeper {
 public:
  // Deadlines are read on `clock` (its coarse time); the sweeps run every `tick` of real time.
  static constexpr std::chrono::milliseconds kDefaultTick{100};
  explicit DeadlineSweeper(boost::asio::any_io_executor ex,
                           std::chrono::milliseconds tick = kDefaultTick,
                           const fleetgate::Clock& clock = system_clock())
      : timer_(ex), tick_(tick), clock_(clock) {}
  DeadlineSweeper(const DeadlineSweeper&) = delete;
  DeadlineSweeper& operator=(const DeadlineSweeper&) = delete;

  // Fires every watch whose deadline is at or before `now`; exposed for tests.
  void sweep(DeadlineWatch::Clock::time_point now);
  std::size_t armed() const { return watches_.size(); }

 private:
  friend class DeadlineWatch;
  void link(DeadlineWatch& w);
  void schedule();

  boost::intrusive::list<DeadlineWatch, boost::intrusive::constant_time_size<false>> watches_;
  boost::asio::steady_timer timer_;
  std::chrono::milliseconds tick_;
  const fleetgate::Clock& clock_;
  bool timer_running_ = false;
};

}  // namespace fleetgate
