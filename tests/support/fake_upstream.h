// An OpenAI-compatible backend inside the test process, on 127.0.0.1 and an ephemeral port, on
// a thread of its own: each completion request takes the next scripted reply (a delay, a hang,
// a reset, an error status, a 429 with Retry-After, a stream that breaks midway), or the default
// one when none is left; GET /v1/models lists what the test says. It records what it received.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace fleetgate::test {

struct FakeReply {
  int status = 200;
  std::map<std::string, std::string> headers;  // besides Content-Type, e.g. Retry-After
  std::string body;                            // the whole body, unless `events` are sent
  std::vector<std::string> events;             // SSE data payloads, each written as it comes
  std::chrono::milliseconds delay{0};          // before the response head
  std::chrono::milliseconds gap{0};            // between events
  bool hang = false;                           // never answers (until the gateway gives up)
  bool reset = false;                          // closes the connection at once, nothing sent
  std::size_t break_after = SIZE_MAX;  // closes after this many events, the stream unfinished
  bool one_write = false;              // head, every event and the end in one write (no gap)

  static FakeReply completion(const std::string& text = "hello");  // a chat completion
  static FakeReply stream(std::vector<std::string> tokens);        // chat chunks, usage, [DONE]
  static FakeReply error(int status, const std::string& message);
  static FakeReply connection_reset();  // `reset`
  static FakeReply hang_up();           // `hang`
};

struct FakeRequest {
  std::string method;
  std::string target;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
};

class FakeUpstream {
 public:
  explicit FakeUpstream(std::vector<std::string> models = {"m"});
  ~FakeUpstream();
  FakeUpstream(const FakeUpstream&) = delete;
  FakeUpstream& operator=(const FakeUpstream&) = delete;

  std::uint16_t port() const { return port_; }
  // The api_base for a deployment in front of it.
  std::string base() const { return "http://127.0.0.1:" + std::to_string(port_) + "/v1"; }

  // The next completion request (POST) gets `reply`; in the order scripted.
  void then(FakeReply reply);
  // What completion requests get once the script is used up (by default a completion, or a
  // stream when the request asks for one).
  void always(FakeReply reply);
  void set_models(std::vector<std::string> models);

  // The completion requests (POSTs) received so far.
  std::vector<FakeRequest> received() const;
  std::size_t count() const;

 private:
  struct Server;
  friend struct Server;
  FakeReply next(const FakeRequest& request);

  mutable std::mutex mutex_;
  std::deque<FakeReply> script_;
  std::unique_ptr<FakeReply> default_;
  std::vector<std::string> models_;
  std::vector<FakeRequest> received_;
  std::uint16_t port_ = 0;
  std::unique_ptr<Server> server_;
};

}  // namespace fleetgate::test
