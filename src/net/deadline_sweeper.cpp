#include "net/deadline_sweeper.h"

#include <vector>

namespace fleetgate {

void DeadlineWatch::arm(Clock::duration timeout) { arm_at(sweeper_->clock_.coarse() + timeout); }

void DeadlineWatch::arm_at(Clock::time_point deadline) {
  deadline_ = deadline;
  expired_ = false;
  if (!is_linked()) sweeper_->link(*this);
}

void DeadlineSweeper::link(DeadlineWatch& w) {
  watches_.push_back(w);
  if (!timer_running_) schedule();
}

void DeadlineSweeper::schedule() {
  timer_running_ = true;
  timer_.expires_after(tick_);
  timer_.async_wait([this](const boost::system::error_code& ec) {
    timer_running_ = false;
    if (ec) return;
    sweep(clock_.coarse());
    if (!watches_.empty()) schedule();
  });
}

void DeadlineSweeper::sweep(DeadlineWatch::Clock::time_point now) {
  // Unlink first, then fire: an expiry callback may arm or destroy other watches.
  std::vector<DeadlineWatch*> due;
  for (auto it = watches_.begin(); it != watches_.end();) {
    if (it->deadline_ <= now) {
      DeadlineWatch& w = *it;
      it = watches_.erase(it);
      w.expired_ = true;
      due.push_back(&w);
    } else {
      ++it;
    }
  }
  for (DeadlineWatch* w : due) {
    if (w->expired_ && !w->is_linked()) w->on_expire_();
  }
}

}  // namespace fleetgate
