#include "app/signals.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include <spdlog/spdlog.h>

namespace fleetgate {

void serve_until_signalled(HttpServer& server, Duration drain, std::function<void()> on_hangup) {
  boost::asio::io_context control;
  boost::asio::signal_set signals(control, SIGINT, SIGTERM, SIGHUP);
  int received = 0;
  std::function<void(const boost::system::error_code&, int)> wait =
      [&](const boost::system::error_code& ec, int signo) {
        if (ec) return;
        if (signo == SIGHUP) {
          if (on_hangup) on_hangup();
          signals.async_wait(wait);
          return;
        }
        received = signo;
      };
  signals.async_wait(wait);
  control.run();
  spdlog::info("signal {}: draining (up to {} for {} open connections)", received,
               format_duration(drain), server.active_connections());
  server.begin_drain();
  if (!server.wait_drained(drain))
    spdlog::warn("drain deadline passed with {} connections open; closing them",
                 server.active_connections());
  server.stop();
  spdlog::info("stopped");
}

}  // namespace fleetgate
