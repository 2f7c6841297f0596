// The backend connection pool on a manual clock: a pooled connection is reused while it has
// been idle less than idle_timeout, and a new one is made after (the backend may have closed
// it), without waiting out the timeout.
#include "upstream/upstream_pool.h"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_future.hpp>

#include <chrono>
#include <vector>

namespace fleetgate {
namespace {

using namespace std::chrono_literals;
using tcp = asio::ip::tcp;

class PoolTest : public ::testing::Test {
 protected:
  PoolTest()
      : acceptor_(ioc_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)),
        sweeper_(ioc_.get_executor()),
        pool_(ioc_.get_executor(), sweeper_, tls_,
              {Url{false, "127.0.0.1", acceptor_.local_endpoint().port(), ""}},
              PoolSettings{1s, 4s, 8}, clock_) {
    accept();
  }

  void accept() {
    acceptor_.async_accept([this](boost::system::error_code ec, tcp::socket s) {
      if (ec) return;
      accepted_.push_back(std::move(s));  // kept open, as a keep-alive backend does
      accept();
    });
  }

  // acquire() run to its end on the test's io_context.
  std::unique_ptr<UpstreamConnection> acquire() {
    auto f = asio::co_spawn(ioc_, pool_.acquire(0), asio::use_future);
    // Bounded: on the manual clock the pool's connect deadline never passes by itself.
    for (int i = 0; i < 50 && f.wait_for(0s) != std::future_status::ready; ++i)
      ioc_.run_one_for(100ms);
    if (f.wait_for(0s) != std::future_status::ready) {
      ADD_FAILURE() << "acquire() did not finish within 5 s";
      return nullptr;
    }
    auto r = f.get();
    EXPECT_TRUE(r) << (r ? "" : r.error().message);
    ioc_.poll();  // lets the acceptor take it
    return r ? std::move(*r) : nullptr;
  }

  ManualClock clock_;
  asio::io_context ioc_;
  asio::ssl::context tls_{asio::ssl::context::tls_client};
  tcp::acceptor acceptor_;
  std::vector<tcp::socket> accepted_;
  DeadlineSweeper sweeper_;
  UpstreamPool pool_;
};

TEST_F(PoolTest, AConnectionIdleLessThanTheTimeoutIsReused) {
  auto c = acquire();
  ASSERT_TRUE(c);
  UpstreamConnection* first = c.get();
  pool_.release(0, std::move(c));
  EXPECT_EQ(pool_.idle(0), 1u);
  clock_.advance(4s - 1ms);
  auto again = acquire();
  EXPECT_EQ(again.get(), first);
  EXPECT_EQ(accepted_.size(), 1u);
}

TEST_F(PoolTest, AConnectionIdleForTheTimeoutIsDroppedAndANewOneMade) {
  auto c = acquire();
  ASSERT_TRUE(c);
  pool_.release(0, std::move(c));
  clock_.advance(4s);
  auto fresh = acquire();
  ASSERT_TRUE(fresh);
  EXPECT_EQ(pool_.idle(0), 0u);
  EXPECT_EQ(accepted_.size(), 2u);
}

TEST_F(PoolTest, NoMoreThanMaxIdleAreKept) {
  std::vector<std::unique_ptr<UpstreamConnection>> held;
  for (int i = 0; i < 10; ++i) held.push_back(acquire());
  for (auto& c : held) pool_.release(0, std::move(c));
  EXPECT_EQ(pool_.idle(0), 8u);
}

}  // namespace
}  // namespace fleetgate
