#include "fleet/fleet_service.h"

#include "core/secret.h"

#include "core/json_escape.h"
#include "core/text_forms.h"
#include "core/wall_time.h"
#include "fleet/alertmanager.h"
#include "fleet/notifier.h"
#include "fleet/outbox_policy.h"
#include "fleet/recovery.h"
#include "fleet/silence_json.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <map>

namespace fleetgate {

namespace {

constexpr auto kPollInterval = std::chrono::seconds(1);    // gateway backends
constexpr auto kUsageInterval = std::chrono::seconds(60);  // usage counters into the store
constexpr auto kPruneInterval = std::chrono::hours(1);     // retention
constexpr std::size_t kBatch = 256;                        // outbox rows per pass

}  // namespace

FleetService::FleetService(FleetSettings settings, std::unique_ptr<Store> store,
                           std::optional<std::string> token, const Clock& clock)
    : settings_(std::move(settings)),
      store_(std::move(store)),
      clock_(clock),
      monitor_(settings_),
      recovery_(settings_.checks) {
  set_tokens(std::move(token), settings_.nodes);
}

void FleetService::set_tokens(std::optional<std::string> fleet_token,
                              const std::vector<NodeSpec>& nodes) {
  std::map<std::string, std::string, std::less<>> by_node;
  for (const auto& n : nodes)
    if (n.token) by_node[n.name] = *n.token;
  std::lock_guard lock(tokens_mutex_);
  token_ = std::move(fleet_token);
  node_tokens_ = std::move(by_node);
}

bool FleetService::has_fleet_token() const {
  std::lock_guard lock(tokens_mutex_);
  return token_.has_value();
}

FleetService::Caller FleetService::caller(std::string_view authorization, bool loopback) const {
  std::lock_guard lock(tokens_mutex_);
  Caller c;
  if (token_ ? bearer_matches(authorization, *token_) : loopback) c.fleet = true;
  // Every node's token is compared (none short-cuts), so timing tells nothing of which matched.
  for (const auto& [node, token] : node_tokens_)
    if (bearer_matches(authorization, token)) c.node = node;
  return c;
}

FleetService::~FleetService() { stop(); }

void FleetService::start() {
  restore();
  watch_ = std::thread([this] { watch_loop(); });
  notifier_ = std::thread([this] { notify_loop(); });
}

void FleetService::restore() {
  {
    std::lock_guard lock(mutex_);
    const auto now_ms = to_ms(clock_.wall());
    WriteBatch b;
    for (const auto& skipped :
         monitor_.restore(store_->subjects(), store_->firing_alerts(), store_->silences(now_ms), b))
      spdlog::warn("the store's {} cannot be restored; left out", skipped);
    if (!b.empty()) commit(std::move(b), {});
  }
  pending_outbox_ = store_->pending_outbox();
  for (const auto& r : settings_.alerts.receivers) notifiers_[r.name] = notifier_factory(r);
  const auto now = clock_.wall();
  next_poll_ = now;
  next_usage_ = now + kUsageInterval;
  next_prune_ = now;
}

void FleetService::stop() {
  if (stopping_.exchange(true)) return;
  // Taking each mutex once makes sure a thread between its check of stopping_ and its wait
  // is waiting by now, so the notify is not lost.
  { std::lock_guard lock(mutex_); }
  watch_cv_.notify_all();
  { std::lock_guard lock(notify_mutex_); }
  notify_cv_.notify_all();
  if (watch_.joinable()) watch_.join();
  if (notifier_.joinable()) notifier_.join();
  store_->flush();
}

void FleetService::check_actions(WriteBatch& batch) {
  for (const auto& step : recovery_.on_transitions(batch.transitions)) {
    const CheckSpecConfig& c = *step.check;
    if (step.kind == RecoveryBook::Step::Kind::Restart) {
      if (agents) {
        agents->send(c.action_node, {c.action_restart, ControlAction::Restart, step.reason, true},
                     clock_.steady());
        agents->set_unhealthy(c.action_node, c.action_restart, true);
      }
      spdlog::warn("check {} is down: asking node {} to restart {}", c.name, c.action_node,
                   c.action_restart);
    } else if (agents) {
      agents->set_unhealthy(c.action_node, c.action_restart, false);
    }
  }
}

void FleetService::commit(WriteBatch batch, Store::Done done) {
  check_actions(batch);
  const bool outbox = !batch.outbox.empty();
  if (outbox) pending_outbox_ += static_cast<std::int64_t>(batch.outbox.size());
  if (!outbox) {
    store_->write(std::move(batch), std::move(done));
    return;
  }
  store_->write(std::move(batch), [this, done = std::move(done)](bool ok) {
    if (done) done(ok);
    {
      std::lock_guard lock(notify_mutex_);
      outbox_changed_ = true;
    }
    notify_cv_.notify_one();
  });
}

void FleetService::after_change() {
  auto next = monitor_.next_wakeup(clock_.wall());
  if (next && *next < planned_wake_) {
    planned_wake_ = *next;
    watch_cv_.notify_one();
  }
}

bool FleetService::ping(const PingRequest& p, Store::Done done) {
  std::lock_guard lock(mutex_);
  WriteBatch b;
  if (!monitor_.ping(p, clock_.wall(), b)) return false;
  commit(std::move(b), std::move(done));
  after_change();
  return true;
}

void FleetService::heartbeat(const Heartbeat& hb, const std::string& raw, Store::Done done) {
  std::lock_guard lock(mutex_);
  WriteBatch b;
  monitor_.heartbeat(hb, raw, clock_.wall(), b);
  if (agents) {
    std::vector<std::pair<std::string, std::string>> states;
    for (const auto& p : hb.processes) states.emplace_back(p.name, p.state);
    agents->process_states(hb.node, states, clock_.steady());
  }
  commit(std::move(b), std::move(done));
  after_change();
}

void FleetService::add_silence(Silence s, Store::Done done) {
  std::lock_guard lock(mutex_);
  WriteBatch b;
  monitor_.add_silence(std::move(s), b);
  commit(std::move(b), std::move(done));
  after_change();
}

bool FleetService::expire_silence(const std::string& id, Store::Done done) {
  std::lock_guard lock(mutex_);
  WriteBatch b;
  if (!monitor_.expire_silence(id, clock_.wall(), b)) return false;
  commit(std::move(b), std::move(done));
  after_change();
  return true;
}

std::optional<std::string> FleetService::check_by_uuid(std::string_view uuid) const {
  std::lock_guard lock(mutex_);
  return monitor_.check_by_uuid(uuid);
}

bool FleetService::check_key_matches(std::string_view slug, std::string_view key) const {
  std::lock_guard lock(mutex_);
  return monitor_.check_key_matches(slug, key);
}

bool FleetService::has_check(std::string_view slug) const {
  std::lock_guard lock(mutex_);
  return monitor_.has_check(slug);
}

void FleetService::tick() {
  std::unique_lock lock(mutex_);
  watch_pass(lock);
}

FleetTime FleetService::watch_pass(std::unique_lock<std::mutex>& lock) {
  const auto now = clock_.wall();
  WriteBatch b;
  monitor_.tick(now, b);
  if (now >= next_poll_) {
    next_poll_ = now + kPollInterval;
    if (backend_source) {
      lock.unlock();  // the source reads the gateway's health board; keep pings flowing
      auto reports = backend_source();
      lock.lock();
      for (const auto& r : reports) monitor_.backend(r.id, r.up, r.reason, r.drift, now, b);
    }
  }
  if (now >= next_usage_ || stopping_) {
    next_usage_ = now + kUsageInterval;
    if (usage_source) b.usage = usage_source();
  }
  if (requests_source) b.requests = requests_source();  // the request log, in one batch a tick
  if (!b.empty()) commit(std::move(b), {});
  if (now >= next_prune_) {
    next_prune_ = now + kPruneInterval;
    const auto& r = settings_.retention;
    store_->prune({to_ms(now - r.pings), to_ms(now - r.heartbeats), to_ms(now - r.history),
                   to_ms(now - r.responses), to_ms(now - r.requests), kRequestLogMaxRows});
  }
  return std::min(now + std::chrono::duration_cast<FleetClock::duration>(kPollInterval),
                  monitor_.next_wakeup(now).value_or(FleetTime::max()));
}

void FleetService::watch_loop() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    const auto wake = watch_pass(lock);
    planned_wake_ = wake;
    watch_cv_.wait_until(lock, wake, [&] { return stopping_ || planned_wake_ < wake; });
  }
  // Last usage figures before the store closes.
  if (usage_source) {
    WriteBatch b;
    b.usage = usage_source();
    if (!b.empty()) commit(std::move(b), {});
  }
}

void FleetService::deliver_due() {
  store_->flush();  // the notifications queued so far are in the store
  notify_pass();
}

FleetService::NotifyPass FleetService::notify_pass() {
  const auto rows = store_->pending_notifications(kBatch);
  WriteBatch results;
  OutboxRound round(to_ms(clock_.wall()), settings_.alerts.retry_max.count());
  for (const auto& row : rows) {
    if (stopping_) break;
    std::optional<OutboxResult> moved;
    if (round.step(row, moved) == OutboxRound::Step::Wait) {
      if (moved) results.outbox_results.push_back(std::move(*moved));
      continue;
    }
    const auto at_ms = to_ms(clock_.wall());
    auto notifier = notifiers_.find(row.receiver);
    std::optional<Delivery> sent;
    if (notifier != notifiers_.end()) sent = notifier->second->deliver(row.payload);
    OutboxResult r = round.outcome(row, sent, at_ms);
    if (!sent)
      spdlog::warn("notification {} dropped: receiver '{}' is no longer configured", row.id,
                   row.receiver);
    else if (r.delivered)
      spdlog::info("notification {} delivered to {}", row.id, row.receiver);
    else if (r.set_aside)
      spdlog::error("notification {} to {} set aside: refused {} times ({})", row.id, row.receiver,
                    r.refusals, r.error);
    else
      spdlog::warn("notification {} to {} failed (attempt {}): {}; retrying in {}", row.id,
                   row.receiver, r.attempts, r.error,
                   format_duration(Duration(r.next_attempt_ms - r.at_ms)));
    if (r.delivered || r.set_aside) --pending_outbox_;
    results.outbox_results.push_back(std::move(r));
  }
  NotifyPass pass;
  pass.rows = rows.size();
  pass.next_due_ms = round.next_due_ms();
  pass.delivered_any = std::any_of(results.outbox_results.begin(), results.outbox_results.end(),
                                   [](const OutboxResult& r) { return r.delivered; });
  if (!results.empty()) {
    store_->write(std::move(results));
    store_->flush();  // the next read must see these
  }
  return pass;
}

void FleetService::notify_loop() {
  while (!stopping_) {
    const NotifyPass pass = notify_pass();
    std::unique_lock lock(notify_mutex_);
    if (outbox_changed_ || (pass.delivered_any && pass.rows == kBatch)) {
      outbox_changed_ = false;
      continue;
    }
    auto until = clock_.wall() + std::chrono::seconds(60);
    if (pass.next_due_ms) until = std::min(until, from_ms(*pass.next_due_ms));
    if (pass.rows == kBatch && !pass.next_due_ms) until = clock_.wall();
    notify_cv_.wait_until(lock, until, [&] { return stopping_ || outbox_changed_; });
    outbox_changed_ = false;
  }
}

}  // namespace fleetgate
