// The streaming client's watch: it starts kWatchAfter into the stream, notices a client that
// left (and aborts nothing it was not pointed at), and leaves a pipelined request unread.
#include "providers/client_watch.h"

#include <gtest/gtest.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

namespace fleetgate {
namespace {

using tcp = boost::asio::ip::tcp;

struct Pair {
  boost::asio::io_context ioc{1};
  ManualClock clock;
  DeadlineSweeper sweeper{ioc.get_executor(), DeadlineSweeper::kDefaultTick, clock};
  tcp::socket client{ioc}, server{ioc};
  Pair() {
    tcp::acceptor acceptor(ioc, tcp::endpoint(boost::asio::ip::address_v4::loopback(), 0));
    client.connect(acceptor.local_endpoint());
    acceptor.accept(server);
  }
  // Runs what is ready, a bounded number of times.
  void settle() {
    for (int i = 0; i < 50; ++i) {
      ioc.restart();
      ioc.run_for(std::chrono::milliseconds(2));
    }
  }
};

TEST(ClientWatch, ALeavingClientIsNoticedOnceTheWatchHasStarted) {
  Pair p;
  ClientWatchScope watch(p.server, p.sweeper);
  p.client.close();
  p.settle();
  EXPECT_FALSE(watch.gone()) << "not watched before kWatchAfter";
  p.clock.advance(ClientWatchScope::kWatchAfter);
  p.sweeper.sweep(p.clock.coarse());
  p.settle();
  EXPECT_TRUE(watch.gone());
}

TEST(ClientWatch, AClientThatStaysOrPipelinesIsNotGoneAndItsBytesStayUnread) {
  Pair p;
  {
    ClientWatchScope watch(p.server, p.sweeper);
    p.clock.advance(ClientWatchScope::kWatchAfter);
    p.sweeper.sweep(p.clock.coarse());
    p.settle();
    EXPECT_FALSE(watch.gone());
    boost::asio::write(p.client, boost::asio::buffer("GET / HTTP/1.1\r\n", 16));
    p.settle();
    EXPECT_FALSE(watch.gone());
  }
  p.settle();  // the scope's end cancelled nothing the connection needs
  char got[16];
  EXPECT_EQ(boost::asio::read(p.server, boost::asio::buffer(got)), 16u);
  EXPECT_EQ(std::string_view(got, 16), "GET / HTTP/1.1\r\n");
}

TEST(ClientWatch, AScopeThatEndsBeforeItsWatchStartsLeavesNothingArmed) {
  Pair p;
  {
    ClientWatchScope watch(p.server, p.sweeper);
    EXPECT_EQ(p.sweeper.armed(), 1u);
  }
  EXPECT_EQ(p.sweeper.armed(), 0u);
  p.clock.advance(ClientWatchScope::kWatchAfter);
  p.sweeper.sweep(p.clock.coarse());  // fires nothing: the scope is gone
  p.settle();
}

}  // namespace
}  // namespace fleetgate
