// What the gateway's own files share: the client watch, one attempt's working state, and what
// an attempt came to. Internal to src/gateway/.
#pragma once

#include "gateway/gateway.h"
#include "upstream/upstream_exchange.h"

#include <boost/asio/cancellation_signal.hpp>

#include <array>
#include <chrono>
#include <memory>

namespace fleetgate {

using Clock = std::chrono::steady_clock;

// Watches a streaming client for as long as it lives: a client that hangs up aborts the
// backend request at once, even while the backend is silent. Each attempt points it at its own
// exchange; the shared state outlives a completion that arrives after the scope is gone.
class ClientWatchScope {
 public:
  struct State {
    UpstreamExchange* exchange = nullptr;
    bool gone = false;
  };

  explicit ClientWatchScope(tcp::socket& socket);
  ~ClientWatchScope() {
    state_->exchange = nullptr;
    stop_.emit(asio::cancellation_type::all);
  }
  ClientWatchScope(const ClientWatchScope&) = delete;
  ClientWatchScope& operator=(const ClientWatchScope&) = delete;
  void watch(UpstreamExchange* exchange) {
    state_->exchange = exchange;
    if (exchange && state_->gone) exchange->abort();  // it left between two attempts
  }
  bool gone() const { return state_->gone; }

 private:
  std::shared_ptr<State> state_;
  asio::cancellation_signal stop_;
};

struct Gateway::Call {
  ClientConnection& conn;
  Request& req;
  ApiKind kind;
  DeploymentIndex index;
  const Deployment& deployment;
  const RequestFields& fields;
  AccessRecord& log;
  UpstreamExchange exchange;
  Clock::time_point deadline;
  Clock::time_point started;  // this attempt's start, for its time to first byte
  Duration first_byte;
  Duration stream_gap;
  const ClientWatchScope* watching = nullptr;  // streams: the client is watched from the start
  std::array<asio::const_buffer, 4> parts{};   // the request as it goes out (gather write)
  std::size_t part_count = 0;
  // A wildcard deployment's model for this request (and as a JSON string); empty for the others.
  std::string upstream_model;
  std::string upstream_json;
  const std::string& model() const {
    return upstream_model.empty() ? deployment.upstream_model : upstream_model;
  }
};

// What one attempt came to. Not committed: nothing reached the client, so proxy() may try
// elsewhere, and otherwise answers with `error` (ours) or the backend's status and body.
struct Gateway::Failure {
  std::optional<Error> error;  // ours (connect, deadline, protocol), or else
  int status = 0;              // the backend's own answer, passed through
  std::string body;
  std::string content_type;
};

struct Gateway::Attempt {
  bool committed = false;
  bool retryable = false;
  bool context_window = false;
  std::optional<Outcome> health;  // what it says about the deployment
  std::optional<Duration> retry_after;
  std::unique_ptr<Failure> failure;  // on the heap: failures are rare, coroutine frames small

  static Attempt success() {
    Attempt a;
    a.committed = true;
    a.health = Outcome::Success;
    return a;
  }
  static Attempt streamed(bool finished) {
    Attempt a;
    a.committed = true;
    a.health = finished ? Outcome::Success : Outcome::Failure;
    return a;
  }
  static Attempt failed(Error e) {
    Attempt a;
    a.failure = std::make_unique<Failure>();
    a.failure->error = std::move(e);
    return a;
  }
};

}  // namespace fleetgate
