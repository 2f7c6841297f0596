// The fleet service on a manual clock, its passes driven by the test (no threads, no sleeps):
// a missed ping fires exactly one notification, not before period + grace, and the next ping
// resolves it; a receiver that fails is retried on its backoff.
#include "fleet/fleet_service.h"
#include "config/loader.h"

#include <gtest/gtest.h>
#include <boost/json.hpp>

#include <filesystem>
#include <memory>
#include <mutex>
#include <vector>

#include <unistd.h>

namespace fleetgate {
namespace {

using namespace std::chrono_literals;

// Counts what each receiver was sent; fails while told to.
struct Sent {
  std::mutex mutex;
  std::vector<std::string> payloads;
  bool failing = false;
};

class FakeNotifier final : public Notifier {
 public:
  explicit FakeNotifier(std::shared_ptr<Sent> sent) : sent_(std::move(sent)) {}
  Delivery deliver(const std::string& payload) override {
    std::lock_guard lock(sent_->mutex);
    if (sent_->failing) return {false, false, "connection refused"};
    sent_->payloads.push_back(payload);
    return {true, false, {}};
  }

 private:
  std::shared_ptr<Sent> sent_;
};

class FleetServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto config = load_config_text(
        "model_list: []\nfleet:\n  checks:\n    - {name: job, period: 1m, grace: 30s}\n"
        "  alerts:\n    receivers:\n      - {name: hook, exec: ['true']}\n",
        "test.yaml");
    ASSERT_TRUE(config) << config.error().front().str();
    path_ = ::testing::TempDir() + "fleet-service-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".db";
    for (const char* s : {"", "-wal", "-shm"}) std::filesystem::remove(path_ + s);
    auto store = Store::open(path_);
    ASSERT_TRUE(store);
    service_ =
        std::make_unique<FleetService>(config->fleet, std::move(*store), std::nullopt, clock_);
    service_->notifier_factory = [s = sent_](const ReceiverSpec&) {
      return std::make_unique<FakeNotifier>(s);
    };
    service_->restore();
  }

  // Time passes; the service does what its threads would do by then.
  void pass(std::chrono::nanoseconds d) {
    clock_.advance(d);
    service_->tick();
    service_->deliver_due();
  }
  std::vector<std::string> statuses() {
    std::lock_guard lock(sent_->mutex);
    std::vector<std::string> out;
    for (const auto& p : sent_->payloads)
      out.emplace_back(boost::json::parse(p).at("status").as_string());
    return out;
  }
  void ping() {
    PingRequest p;
    p.check = "job";
    ASSERT_TRUE(service_->ping(p, {}));
  }

  ManualClock clock_;
  std::shared_ptr<Sent> sent_ = std::make_shared<Sent>();
  std::string path_;
  std::unique_ptr<FleetService> service_;
};

TEST_F(FleetServiceTest, AMissedPingFiresOnceAtPeriodPlusGraceAndTheNextPingResolvesIt) {
  ping();
  pass(0s);
  pass(90s - 1ms);  // within period + grace
  EXPECT_TRUE(statuses().empty());
  pass(1ms);
  EXPECT_EQ(statuses(), (std::vector<std::string>{"firing"}));
  pass(1h);  // still down, within repeat_interval (4 h): deduplicated
  EXPECT_EQ(statuses(), (std::vector<std::string>{"firing"}));
  ping();
  pass(0s);
  EXPECT_EQ(statuses(), (std::vector<std::string>{"firing", "resolved"}));
}

TEST_F(FleetServiceTest, ALongFiringAlertIsRepeatedAtItsRepeatInterval) {
  ping();
  pass(90s);
  pass(4h - 1s);
  EXPECT_EQ(statuses().size(), 1u);
  pass(2s);
  EXPECT_EQ(statuses(), (std::vector<std::string>{"firing", "firing"}));
}

TEST_F(FleetServiceTest, AFailingReceiverIsRetriedOnItsBackoffAndMissesNothing) {
  sent_->failing = true;
  ping();
  pass(90s);  // fires; the first attempt fails
  ping();
  pass(0s);  // resolved, queued behind the firing one
  sent_->failing = false;
  pass(500ms);  // the firing one is retried after 1 s, not before
  EXPECT_TRUE(statuses().empty());
  pass(600ms);
  EXPECT_EQ(statuses(), (std::vector<std::string>{"firing", "resolved"}));  // in order
}

}  // namespace
}  // namespace fleetgate
