#include "sim/sim_backend.h"

#include "core/json_escape.h"
#include "openai/error_json.h"
#include "openai/request_scan.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/http/verb.hpp>

#include <spdlog/spdlog.h>

#include <sys/socket.h>

#include <algorithm>
#include <chrono>

namespace fleetgate {

namespace http = boost::beast::http;
using namespace asio::experimental::awaitable_operators;

namespace {

std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

enum class Api {
  OpenAIChat,
  OpenAICompletion,
  OpenAIEmbedding,
  OllamaChat,
  OllamaGenerate,
  OllamaEmbed,
  AnthropicMessages
};

std::optional<Api> api_of(std::string_view path) {
  if (path == "/v1/chat/completions") return Api::OpenAIChat;
  if (path == "/v1/completions") return Api::OpenAICompletion;
  if (path == "/v1/embeddings") return Api::OpenAIEmbedding;
  if (path == "/api/chat") return Api::OllamaChat;
  if (path == "/api/generate") return Api::OllamaGenerate;
  if (path == "/api/embed" || path == "/api/embeddings") return Api::OllamaEmbed;
  if (path == "/v1/messages") return Api::AnthropicMessages;
  return std::nullopt;
}

bool is_ollama(Api a) {
  return a == Api::OllamaChat || a == Api::OllamaGenerate || a == Api::OllamaEmbed;
}

}  // namespace

SimBackend::SimBackend(const SimOptions& options, SimRecord& record, WorkerContext& worker)
    : options_(options),
      record_(record),
      worker_(worker),
      rng_(options.seed ? options.seed + worker.index : std::random_device{}()) {
  models_body_ = "{\"object\":\"list\",\"data\":[";
  tags_body_ = "{\"models\":[";
  for (std::size_t i = 0; i < options_.models.size(); ++i) {
    const std::string name = json_string(options_.models[i]);
    if (i) models_body_ += ',', tags_body_ += ',';
    models_body_ += "{\"id\":" + name + ",\"object\":\"model\",\"created\":0,\"owned_by\":\"sim\"}";
    tags_body_ += "{\"name\":" + name + ",\"model\":" + name +
                  ",\"modified_at\":\"2026-01-01T00:00:00Z\",\"size\":1000000,\"digest\":\"sim\","
                  "\"details\":{}}";
  }
  models_body_ += "]}";
  tags_body_ += "]}";
  if (!options_.model_path.empty()) {  // llama.cpp's single-model listing
    const std::string id =
        json_string(options_.models.empty() ? options_.model_path : options_.models.front());
    std::string aliases = "[";
    for (std::size_t i = 0; i < options_.models.size(); ++i)
      aliases += (i ? "," : "") + json_string(options_.models[i]);
    models_body_ = "{\"object\":\"list\",\"data\":[{\"id\":" + id + ",\"aliases\":" + aliases +
                   "],\"object\":\"model\",\"created\":0,\"owned_by\":\"llamacpp\"}]}";
    props_body_ = "{\"model_alias\":" + id + ",\"model_path\":" + json_string(options_.model_path) +
                  ",\"total_slots\":1}";
  }
}

std::string SimBackend::word(unsigned i) const {
  static constexpr std::string_view kWords[] = {"The",   "fleet",   "is",      "up", "and",
                                                "every", "backend", "answers", "in", "time."};
  return std::string(kWords[i % std::size(kWords)]) + " ";
}

asio::awaitable<bool> SimBackend::pause(ClientConnection& conn, Duration d) {
  if (d.count() <= 0) co_return true;
  // Sleep, but notice a client that hangs up meanwhile, as a real server aborting generation does.
  asio::steady_timer timer(worker_.executor, d);
  auto woke = co_await (
      timer.async_wait(asio::as_tuple(asio::use_awaitable)) ||
      conn.socket().async_wait(tcp::socket::wait_read, asio::as_tuple(asio::use_awaitable)));
  if (woke.index() == 0) co_return !std::get<0>(std::get<0>(woke));
  char byte;
  const auto n = ::recv(conn.socket().native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
  if (n > 0) {  // a pipelined request, not a hang-up: sleep out the rest
    auto [ec] = co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
    co_return !ec;
  }
  spdlog::info("sim: client hung up while request {} was in progress", conn.request_id());
  conn.set_close();
  co_return false;
}

asio::awaitable<void> SimBackend::handle(ClientConnection& conn, Request& req) {
  const std::string_view path = req.path();
  // Only model requests are recorded: a gateway's health probes must not hide them.
  if (req.method == http::verb::post) {
    std::lock_guard lock(record_.mutex);
    const auto m = http::to_string(req.method);
    record_.method.assign(m.data(), m.size());
    record_.target = req.target;
    record_.authorization = req.authorization;
    record_.request_id = req.request_id;
    record_.body = req.body;
    ++record_.count;
  }
  if (path == "/health") {
    if (options_.loading)  // llama.cpp's answer while it loads the model
      co_await conn.send(
          503, "application/json",
          R"({"error":{"code":503,"message":"Loading model","type":"unavailable_error"}})");
    else
      co_await conn.send(200, "application/json", "{\"status\":\"ok\"}");
  } else if (path == "/slots" && options_.slots > 0) {
    std::string body = "[";
    for (unsigned i = 0; i < options_.slots; ++i)
      body += (i ? "," : "") + std::string("{\"id\":") + std::to_string(i) +
              ",\"is_processing\":false}";
    co_await conn.send(200, "application/json", body + "]");
  } else if (path == "/v1/models") {
    co_await conn.send(200, "application/json", models_body_);
  } else if (path == "/props" && !props_body_.empty()) {
    co_await conn.send(200, "application/json", props_body_);
  } else if (path == "/api/tags") {
    co_await conn.send(200, "application/json", tags_body_);
  } else if (path == "/api/ps") {
    co_await conn.send(200, "application/json", tags_body_);
  } else if (path == "/sim/last") {
    std::string body;
    {
      std::lock_guard lock(record_.mutex);
      body = "{\"method\":" + json_string(record_.method) +
             ",\"target\":" + json_string(record_.target) +
             ",\"authorization\":" + json_string(record_.authorization) +
             ",\"request_id\":" + json_string(record_.request_id) +
             ",\"body\":" + json_string(record_.body) +
             ",\"count\":" + std::to_string(record_.count) + "}";
    }
    co_await conn.send(200, "application/json", body);
  } else if (api_of(path)) {
    if (req.method != http::verb::post)
      co_await conn.send_error(Error(Errc::MethodNotAllowed, "use POST"));
    else
      co_await completion(conn, req, path);
  } else {
    co_await conn.send_error(Error(Errc::NotFound, "sim: unknown path " + std::string(path)));
  }
}

asio::awaitable<void> SimBackend::completion(ClientConnection& conn, Request& req,
                                             std::string_view path) {
  const Api api = *api_of(path);
  const bool ollama = is_ollama(api);
  const bool anthropic = api == Api::AnthropicMessages;
  auto anthropic_error = [](std::string_view type, const std::string& message) {
    return R"({"type":"error","error":{"type":")" + std::string(type) + R"(","message":)" +
           json_string(message) + "}}";
  };
  auto fields = scan_request(req.body);
  if (!fields) {
    co_await conn.send_error(fields.error());
    co_return;
  }
  const std::string& model = fields->model_name;
  // llama.cpp with one model loaded answers whatever `model` says.
  if (options_.model_path.empty() &&
      std::find(options_.models.begin(), options_.models.end(), model) == options_.models.end()) {
    if (ollama)
      co_await conn.send(404, "application/json",
                         "{\"error\":" + json_string("model '" + model + "' not found") + "}");
    else
      co_await conn.send(
          404, "application/json",
          error_json("The model `" + model + "` does not exist.", "NotFoundError", "model", "404"));
    co_return;
  }
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  if (options_.hang_rate > 0 && unit(rng_) < options_.hang_rate) {
    co_await pause(conn, std::chrono::hours(1));
    conn.set_close();
    co_return;
  }
  if (options_.error_rate > 0 && unit(rng_) < options_.error_rate) {
    if (options_.retry_after_seconds)
      conn.add_response_header("Retry-After: " + std::to_string(options_.retry_after_seconds) +
                               "\r\n");
    if (ollama)
      co_await conn.send(options_.error_status, "application/json",
                         "{\"error\":\"sim: injected failure\"}");
    else if (anthropic)
      co_await conn.send(options_.error_status, "application/json",
                         anthropic_error("api_error", "sim: injected failure"));
    else
      co_await conn.send(options_.error_status, "application/json",
                         error_json("sim: injected failure", "server_error", "", ""));
    co_return;
  }
  const std::uint64_t prompt_tokens = std::max<std::uint64_t>(1, req.body.size() / 4);
  if (options_.max_context && prompt_tokens > options_.max_context && anthropic) {
    co_await conn.send(
        400, "application/json",
        anthropic_error("invalid_request_error",
                        "prompt is too long: " + std::to_string(prompt_tokens) + " tokens > " +
                            std::to_string(options_.max_context) + " maximum"));
    co_return;
  }
  if (options_.max_context && prompt_tokens > options_.max_context) {
    // OpenAI's wording and code, which vLLM and the openai SDK agree on.
    co_await conn.send(
        400, "application/json",
        error_json("This model's maximum context length is " +
                       std::to_string(options_.max_context) + " tokens. However, you requested " +
                       std::to_string(prompt_tokens) + " tokens.",
                   "invalid_request_error", "messages", "context_length_exceeded"));
    co_return;
  }
  const unsigned n = options_.tokens;
  const std::string qmodel = json_string(model);
  const std::int64_t created = unix_now();
  const std::string id = "sim-" + conn.request_id();

  if (api == Api::OpenAIEmbedding || api == Api::OllamaEmbed) {
    std::string vec = "[";
    for (unsigned i = 0; i < options_.embedding_dims; ++i)
      vec += (i ? ",0." : "0.") + std::to_string(i + 1);
    vec += "]";
    if (!co_await pause(conn, options_.ttft)) co_return;
    if (ollama)
      co_await conn.send(200, "application/json",
                         "{\"model\":" + qmodel + ",\"embeddings\":[" + vec +
                             "],\"prompt_eval_count\":" + std::to_string(prompt_tokens) + "}");
    else
      co_await conn.send(
          200, "application/json",
          "{\"object\":\"list\",\"data\":[{\"object\":\"embedding\",\"index\":0,\"embedding\":" +
              vec + "}],\"model\":" + qmodel +
              ",\"usage\":{\"prompt_tokens\":" + std::to_string(prompt_tokens) +
              ",\"total_tokens\":" + std::to_string(prompt_tokens) + "}}");
    co_return;
  }

  // Ollama streams unless told not to; OpenAI only when asked.
  bool stream = fields->stream;
  if (ollama && req.body.find("\"stream\"") == std::string::npos) stream = true;
  const bool chat = api == Api::OpenAIChat || api == Api::OllamaChat;
  const std::string usage = "{\"prompt_tokens\":" + std::to_string(prompt_tokens) +
                            ",\"completion_tokens\":" + std::to_string(n) +
                            ",\"total_tokens\":" + std::to_string(prompt_tokens + n) + "}";
  const std::string ollama_counts = ",\"prompt_eval_count\":" + std::to_string(prompt_tokens) +
                                    ",\"eval_count\":" + std::to_string(n);

  if (!stream) {
    if (!co_await pause(conn, options_.ttft)) co_return;
    if (options_.tokens_per_second > 0)
      if (!co_await pause(
              conn, Duration(static_cast<Duration::rep>(n * 1000.0 / options_.tokens_per_second))))
        co_return;
    std::string text;
    for (unsigned i = 0; i < n; ++i) text += word(i);
    std::string body;
    if (anthropic)
      body = "{\"id\":\"msg_" + id +
             "\",\"type\":\"message\",\"role\":\"assistant\",\"model\":" + qmodel +
             ",\"content\":[{\"type\":\"text\",\"text\":" + json_string(text) +
             "}],\"stop_reason\":\"end_turn\",\"stop_sequence\":null,\"usage\":{\"input_tokens\":" +
             std::to_string(prompt_tokens) + ",\"output_tokens\":" + std::to_string(n) + "}}";
    else if (api == Api::OllamaChat)
      body = "{\"model\":" + qmodel +
             ",\"created_at\":\"2026-01-01T00:00:00Z\",\"message\":{\"role\":\"assistant\","
             "\"content\":" +
             json_string(text) + "},\"done\":true,\"done_reason\":\"stop\"" + ollama_counts + "}";
    else if (api == Api::OllamaGenerate)
      body = "{\"model\":" + qmodel +
             ",\"created_at\":\"2026-01-01T00:00:00Z\",\"response\":" + json_string(text) +
             ",\"done\":true,\"done_reason\":\"stop\"" + ollama_counts + "}";
    else if (chat)
      body = "{\"id\":\"chatcmpl-" + id +
             "\",\"object\":\"chat.completion\",\"created\":" + std::to_string(created) +
             ",\"model\":" + qmodel +
             ",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":" +
             json_string(text) + "},\"finish_reason\":\"stop\"}],\"usage\":" + usage + "}";
    else
      body = "{\"id\":\"cmpl-" + id +
             "\",\"object\":\"text_completion\",\"created\":" + std::to_string(created) +
             ",\"model\":" + qmodel + ",\"choices\":[{\"index\":0,\"text\":" + json_string(text) +
             ",\"logprobs\":null,\"finish_reason\":\"stop\"}],\"usage\":" + usage + "}";
    co_await conn.send(200, "application/json", body);
    co_return;
  }

  auto event = [&](unsigned i, bool last) {
    const std::string piece = last ? std::string() : word(i);
    if (anthropic) {  // the Messages API's named SSE events
      std::string out;
      if (i == 0 && !last)
        out +=
            "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_" +
            id + "\",\"type\":\"message\",\"role\":\"assistant\",\"model\":" + qmodel +
            ",\"content\":[],\"usage\":{\"input_tokens\":" + std::to_string(prompt_tokens) +
            ",\"output_tokens\":1}}}\n\n"
            "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,"
            "\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n"
            "event: ping\ndata: {\"type\":\"ping\"}\n\n";
      if (!last)
        return out +
               "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,"
               "\"delta\":{\"type\":\"text_delta\",\"text\":" +
               json_string(piece) + "}}\n\n";
      return out +
             "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n"
             "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":"
             "\"end_turn\",\"stop_sequence\":null},\"usage\":{\"output_tokens\":" +
             std::to_string(n) +
             "}}\n\n"
             "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n";
    }
    if (api == Api::OllamaChat)
      return "{\"model\":" + qmodel +
             ",\"created_at\":\"2026-01-01T00:00:00Z\",\"message\":{\"role\":\"assistant\","
             "\"content\":" +
             json_string(piece) + "},\"done\":" +
             (last ? "true,\"done_reason\":\"stop\"" + ollama_counts : std::string("false")) +
             "}\n";
    if (api == Api::OllamaGenerate)
      return "{\"model\":" + qmodel +
             ",\"created_at\":\"2026-01-01T00:00:00Z\",\"response\":" + json_string(piece) +
             ",\"done\":" +
             (last ? "true,\"done_reason\":\"stop\"" + ollama_counts : std::string("false")) +
             "}\n";
    const std::string head =
        chat ? "data: {\"id\":\"chatcmpl-" + id +
                   "\",\"object\":\"chat.completion.chunk\",\"created\":"
             : "data: {\"id\":\"cmpl-" + id + "\",\"object\":\"text_completion\",\"created\":";
    std::string out =
        head + std::to_string(created) + ",\"model\":" + qmodel + ",\"choices\":[{\"index\":0,";
    if (chat)
      out += std::string("\"delta\":") +
             (last ? "{}"
                   : (i == 0 ? "{\"role\":\"assistant\",\"content\":" : "{\"content\":") +
                         json_string(piece) + "}");
    else
      out += "\"text\":" + json_string(piece) + ",\"logprobs\":null";
    out += std::string(",\"finish_reason\":") + (last ? "\"stop\"" : "null") + "}]}\n\n";
    if (last) {
      out += head + std::to_string(created) + ",\"model\":" + qmodel +
             ",\"choices\":[],\"usage\":" + usage + "}\n\n";
      out += "data: [DONE]\n\n";
    }
    return out;
  };

  if (!co_await pause(conn, options_.ttft)) co_return;
  if (!co_await conn.start_stream(200, ollama ? "application/x-ndjson" : "text/event-stream"))
    co_return;
  const Duration gap =
      options_.tokens_per_second > 0
          ? Duration(static_cast<Duration::rep>(1000.0 / options_.tokens_per_second))
          : Duration(0);
  if (gap.count() == 0 && options_.close_after_tokens == 0 && options_.stream_error_after == 0) {
    // Fast path for benchmarks: the whole stream in one write.
    std::string all;
    for (unsigned i = 0; i < n; ++i) all += event(i, false);
    all += event(n, true);
    if (co_await conn.send_chunk(all)) co_await conn.end_stream();
    co_return;
  }
  for (unsigned i = 0; i < n; ++i) {
    if (options_.stream_error_after && i == options_.stream_error_after) {
      // What llama.cpp and vLLM send (Ollama: an error line), then a clean end of the stream.
      const std::string e =
          ollama
              ? "{\"error\":\"sim: generation failed\"}\n"
              : "data: " + error_json("sim: generation failed", "server_error", "", "500") + "\n\n";
      if (co_await conn.send_chunk(e)) co_await conn.end_stream();
      co_return;
    }
    if (options_.close_after_tokens && i == options_.close_after_tokens) {
      conn.close();
      conn.set_close();
      co_return;
    }
    if (i > 0 && !co_await pause(conn, gap)) co_return;
    if (!co_await conn.send_chunk(event(i, false))) {
      spdlog::info("sim: client hung up while request {} was in progress", conn.request_id());
      co_return;
    }
  }
  if (co_await conn.send_chunk(event(n, true))) co_await conn.end_stream();
}

}  // namespace fleetgate
