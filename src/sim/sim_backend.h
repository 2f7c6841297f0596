// The simulated backend behind `fleetgate sim`: speaks OpenAI (JSON and SSE), Ollama (JSON and
// NDJSON) and the llama.cpp/vLLM health paths, with configurable speed and injected faults.
#pragma once

#include "core/units.h"
#include "server/http_server.h"
#include "server/request_handler.h"

#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <vector>

namespace fleetgate {

struct SimOptions {
  std::vector<std::string> models{"sim-model"};
  Duration ttft{0};              // before the first token (and before a non-streaming reply)
  double tokens_per_second = 0;  // 0: every token at once
  unsigned tokens = 16;          // completion length
  double error_rate = 0;         // share of completion requests answered with error_status
  int error_status = 500;
  unsigned retry_after_seconds = 0;  // >0: injected failures carry Retry-After
  unsigned max_context = 0;          // >0: longer prompts (in tokens) get a context-length 400
  double hang_rate = 0;              // share of completion requests never answered
  unsigned close_after_tokens = 0;   // >0: drop the connection mid-stream after this many tokens
  unsigned embedding_dims = 8;
  unsigned slots = 0;    // >0: GET /slots answers like llama.cpp server with this many idle slots
  bool loading = false;  // /health answers 503 "Loading model", as llama.cpp does at start
  // Non-empty: as llama.cpp started with `-m model_path` (and --alias for each of `models`):
  // answers any model name, lists the alias (else the path) and its aliases, and GET /props.
  std::string model_path;
  // >0: a stream sends this many tokens, then the backend's in-stream error event (as
  // llama.cpp, vLLM and Ollama do when generation fails after the 200), and ends.
  unsigned stream_error_after = 0;
  std::uint64_t seed = 0;  // 0: random
};

// The last request a sim received, for tests that check what the gateway forwarded.
struct SimRecord {
  std::mutex mutex;
  std::string method;
  std::string target;
  std::string authorization;
  std::string request_id;
  std::string body;
  std::uint64_t count = 0;
};

class SimBackend : public RequestHandler {
 public:
  SimBackend(const SimOptions& options, SimRecord& record, WorkerContext& worker);
  asio::awaitable<void> handle(ClientConnection& conn, Request& req) override;

 private:
  asio::awaitable<void> completion(ClientConnection& conn, Request& req, std::string_view path);
  static bool is_completion_path(std::string_view path);  // one of the APIs the sim answers
  // Waits `d`; false when the client hung up meanwhile (logged) or the wait was cancelled.
  asio::awaitable<bool> pause(ClientConnection& conn, Duration d);
  std::string word(unsigned i) const;
  // Audio (transcriptions, translations, speech), rerank and image generation.
  static bool is_media_path(std::string_view path);
  asio::awaitable<void> media(ClientConnection& conn, Request& req, std::string_view path);
  // A chat with tools: the answer is a call of `tool` with {"q":"fleet"}, whole or streamed.
  asio::awaitable<void> call_tool(ClientConnection& conn, const std::string& tool, bool stream,
                                  const std::string& id, std::int64_t created,
                                  const std::string& qmodel, const std::string& usage);

  const SimOptions& options_;
  SimRecord& record_;
  WorkerContext& worker_;
  std::mt19937_64 rng_;
  std::string models_body_;
  std::string tags_body_;
  std::string props_body_;  // llama.cpp's GET /props, with model_path set
};

}  // namespace fleetgate
