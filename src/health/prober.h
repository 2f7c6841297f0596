// Active health checks: one loop per self-hosted backend on its own thread, probing on an
// interval with a timeout, feeding rise/fall state and model drift into the HealthBoard.
// Ollama: GET /api/tags. vLLM, llama.cpp and other OpenAI-compatible servers: GET /health
// (llama.cpp's 503 while loading counts as down) and GET <base>/models. Remote APIs (public
// hosts) are left to passive checks.
#pragma once

#include "config/config.h"
#include "health/health_board.h"
#include "upstream/upstream_pool.h"

#include <boost/asio/ssl/context.hpp>

#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace fleetgate {

// Whether fleetgate should probe this host: loopback, private ranges, bare LAN names and
// .local/.lan/.internal names. Everything else is a remote API.
bool is_self_hosted(std::string_view host);

class Prober {
 public:
  // `backend_of` and `request_headers` are by deployment index (Host and Authorization lines).
  Prober(const Config& config, std::vector<Url> backends, std::vector<BackendId> backend_of,
         std::vector<std::string> request_headers, HealthBoard& board, asio::ssl::context& tls,
         const Clock& clock = system_clock());
  ~Prober();
  Prober(const Prober&) = delete;
  Prober& operator=(const Prober&) = delete;

  void start();
  void stop();

 private:
  struct Target;
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace fleetgate
