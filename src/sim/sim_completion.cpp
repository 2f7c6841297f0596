// The sim's completions: OpenAI, Ollama and Anthropic shapes, whole and streamed, with the
// faults it was asked to inject.
#include "sim/sim_backend.h"

#include "core/json_escape.h"
#include "openai/error_json.h"
#include "openai/request_scan.h"

#include <boost/json.hpp>

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

// A chat with tools whose last message is not a tool's result: the sim calls the first tool,
// as a model deciding to use it would.
std::optional<std::string> tool_to_call(std::string_view body) {
  boost::system::error_code ec;
  const boost::json::value v = boost::json::parse(body, ec);
  if (ec || !v.is_object()) return std::nullopt;
  const auto& o = v.as_object();
  const auto* tools = o.if_contains("tools");
  const auto* messages = o.if_contains("messages");
  if (!tools || !tools->is_array() || tools->as_array().empty() || !messages ||
      !messages->is_array() || messages->as_array().empty())
    return std::nullopt;
  const auto& last = messages->as_array().back();
  if (!last.is_object()) return std::nullopt;
  if (const auto* role = last.as_object().if_contains("role");
      role && role->is_string() && role->as_string() == "tool")
    return std::nullopt;
  const auto& tool = tools->as_array().front();
  if (!tool.is_object()) return std::nullopt;
  const auto* fn = tool.as_object().if_contains("function");
  const auto* name = fn && fn->is_object() ? fn->as_object().if_contains("name") : nullptr;
  if (!name || !name->is_string()) return std::nullopt;
  return std::string(name->as_string());
}

bool is_ollama(Api a) {
  return a == Api::OllamaChat || a == Api::OllamaGenerate || a == Api::OllamaEmbed;
}

}  // namespace

bool SimBackend::is_completion_path(std::string_view path) { return api_of(path).has_value(); }

asio::awaitable<void> SimBackend::call_tool(ClientConnection& conn, const std::string& tool,
                                            bool stream, const std::string& id,
                                            std::int64_t created, const std::string& qmodel,
                                            const std::string& usage) {
  const std::string call_id = "call_" + id;
  const std::string head = "{\"id\":\"chatcmpl-" + id + "\",\"object\":\"chat.completion" +
                           (stream ? ".chunk" : "") + "\",\"created\":" + std::to_string(created) +
                           ",\"model\":" + qmodel + ",\"choices\":[{\"index\":0,";
  if (!co_await pause(conn, options_.ttft)) co_return;
  if (!stream) {
    co_await conn.send(200, "application/json",
                       head +
                           "\"message\":{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{"
                           "\"id\":\"" +
                           call_id +
                           "\",\"type\":\"function\",\"function\":{\"name\":" + json_string(tool) +
                           ",\"arguments\":\"{\\\"q\\\":\\\"fleet\\\"}\"}}]},\"finish_reason\":"
                           "\"tool_calls\"}],\"usage\":" +
                           usage + "}");
    co_return;
  }
  std::string out = "data: " + head +
                    "\"delta\":{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{"
                    "\"index\":0,\"id\":\"" +
                    call_id +
                    "\",\"type\":\"function\",\"function\":{\"name\":" + json_string(tool) +
                    ",\"arguments\":\"\"}}]},\"finish_reason\":null}]}\n\n";
  for (std::string_view piece : {R"({\"q\":)", R"(\"fleet\"})"})
    out += "data: " + head +
           "\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{"
           "\"arguments\":\"" +
           std::string(piece) + "\"}}]},\"finish_reason\":null}]}\n\n";
  out += "data: " + head + "\"delta\":{},\"finish_reason\":\"tool_calls\"}]}\n\n";
  out += "data: {\"id\":\"chatcmpl-" + id +
         "\",\"object\":\"chat.completion.chunk\",\"created\":" + std::to_string(created) +
         ",\"model\":" + qmodel + ",\"choices\":[],\"usage\":" + usage + "}\n\ndata: [DONE]\n\n";
  if (!co_await conn.start_stream(200, "text/event-stream")) co_return;
  if (co_await conn.send_chunk(out)) co_await conn.end_stream();
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
  if (api == Api::OpenAIChat) {
    if (auto tool = tool_to_call(req.body)) {
      co_await call_tool(conn, *tool, stream, id, created, qmodel, usage);
      co_return;
    }
  }

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
      if (fields->include_usage)  // as vLLM and OpenAI: only when asked
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
