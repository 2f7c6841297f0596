// `fleetgate serve` as an object: it owns the HTTP server and its I/O threads, the fleet service
// and its threads, the active prober, the reload executor, and the wiring between them.
// run_serve() loads the config, opens one and waits for a signal; tests run one in-process on an
// ephemeral port against an in-process fake upstream.
#pragma once

#include "config/config.h"
#include "core/error.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace fleetgate {

class ServeDaemon {
 public:
  struct Options {
    std::string config_path;  // read again by reloads; empty: reloads are refused
    std::string data_path;    // the store
    // What the file said, when the command line overrode it: a reload of an unchanged file
    // then changes neither.
    std::optional<Endpoint> file_listen;
    std::optional<unsigned> file_threads;
  };

  // Opens the access log and the store: what cannot be opened is the error. `config` is as
  // loaded, with the command line's overrides applied (threads 0: one per core).
  static Result<std::unique_ptr<ServeDaemon>> open(Config config, Options options);
  ~ServeDaemon();  // stops, if still running
  ServeDaemon(const ServeDaemon&) = delete;
  ServeDaemon& operator=(const ServeDaemon&) = delete;

  // Starts the fleet service, binds, starts the I/O threads and the prober; the bound port.
  Result<std::uint16_t> start();
  // Blocks until SIGINT/SIGTERM (SIGHUP reloads), then drains and stops.
  void serve_until_signalled();
  // Drains within the configured time, then ends the threads and commits the store.
  void stop();

  // "http://127.0.0.1:port" once started.
  std::string url() const;
  const Config& config() const;
  std::size_t model_count() const;

 private:
  struct Parts;
  explicit ServeDaemon(std::unique_ptr<Parts> parts);
  std::unique_ptr<Parts> parts_;
};

}  // namespace fleetgate
