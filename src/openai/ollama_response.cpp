// Ollama's answers, whole and streamed (NDJSON), as OpenAI's.
#include "openai/ollama.h"

#include "core/json_escape.h"
#include "openai/error_json.h"

#include <boost/json.hpp>

#include <charconv>
#include <cmath>

namespace fleetgate {
namespace json = boost::json;
namespace {

std::string_view map_finish(const json::object& o, bool tool_calls) {
  if (tool_calls) return "tool_calls";
  if (const auto* r = o.if_contains("done_reason");
      r && r->is_string() && r->as_string() == "length")
    return "length";
  return "stop";
}

std::optional<Usage> ollama_usage(const json::object& o) {
  const auto* p = o.if_contains("prompt_eval_count");
  const auto* c = o.if_contains("eval_count");
  if (!p && !c) return std::nullopt;
  auto to_u = [](const json::value* v) -> std::uint64_t {
    if (!v) return 0;
    if (v->is_uint64()) return v->as_uint64();
    if (v->is_int64() && v->as_int64() > 0) return static_cast<std::uint64_t>(v->as_int64());
    return 0;
  };
  return Usage{to_u(p), to_u(c)};
}

// What an Ollama answer or stream line carries: /api/chat's message (content, tool calls) or
// /api/generate's response text.
struct OllamaMessage {
  std::string text;
  const json::array* tool_calls = nullptr;
};
OllamaMessage message_of(const json::object& o) {
  OllamaMessage m;
  if (const auto* msg = o.if_contains("message"); msg && msg->is_object()) {
    if (const auto* c = msg->as_object().if_contains("content"); c && c->is_string())
      m.text = c->as_string();
    if (const auto* tc = msg->as_object().if_contains("tool_calls");
        tc && tc->is_array() && !tc->as_array().empty())
      m.tool_calls = &tc->as_array();
  } else if (const auto* r = o.if_contains("response"); r && r->is_string()) {
    m.text = r->as_string();
  }
  return m;
}

json::object usage_json(const Usage& u) {
  return {{"prompt_tokens", u.prompt_tokens},
          {"completion_tokens", u.completion_tokens},
          {"total_tokens", u.prompt_tokens + u.completion_tokens}};
}

// Ollama tool calls carry arguments as objects; OpenAI wants a JSON string and an id.
json::array openai_tool_calls(const json::array& calls, const std::string& id_prefix) {
  json::array out;
  std::size_t i = 0;
  for (const auto& call : calls) {
    const auto* fn = call.is_object() ? call.as_object().if_contains("function") : nullptr;
    if (!fn || !fn->is_object()) continue;
    json::object f;
    if (const auto* n = fn->as_object().if_contains("name")) f["name"] = *n;
    const auto* a = fn->as_object().if_contains("arguments");
    f["arguments"] =
        a ? (a->is_string() ? std::string(a->as_string()) : json::serialize(*a)) : "{}";
    out.emplace_back(json::object{{"index", i},
                                  {"id", id_prefix + "-call-" + std::to_string(i)},
                                  {"type", "function"},
                                  {"function", std::move(f)}});
    ++i;
  }
  return out;
}

}  // namespace

namespace {

// Shortest text that reads back as the same double ("0.1", "-3", "1e-07"); JSON has no NaN.
void append_number(std::string& out, double x) {
  if (!std::isfinite(x)) x = 0;
  char buf[32];
  const auto end = std::to_chars(buf, buf + sizeof buf, x).ptr;
  out.append(buf, end);
}

}  // namespace

Result<TranslatedResponse> from_ollama_response(ApiKind kind, std::string_view ollama_body,
                                                const ResponseMeta& meta) {
  boost::system::error_code ec;
  json::value v = json::parse(ollama_body, ec);
  if (ec || !v.is_object())
    return Error(Errc::UpstreamProtocol, "the Ollama backend sent a response that is not JSON");
  const auto& o = v.as_object();
  TranslatedResponse result;
  result.usage = ollama_usage(o);
  json::object out;

  if (kind == ApiKind::Embedding) {
    const auto* embs = o.if_contains("embeddings");
    if (!embs || !embs->is_array())
      return Error(Errc::UpstreamProtocol, "the Ollama backend sent no embeddings");
    // Written by hand: vectors are long, and numbers come out as "0.1", not Boost's "1E-1".
    std::string& body = result.body;
    body = "{\"object\":\"list\",\"data\":[";
    std::size_t i = 0;
    for (const auto& e : embs->as_array()) {
      if (!e.is_array())
        return Error(Errc::UpstreamProtocol, "the Ollama backend sent a malformed embedding");
      if (i > 0) body += ',';
      body += "{\"object\":\"embedding\",\"index\":";
      append_number(body, static_cast<double>(i++));
      body += ",\"embedding\":[";
      bool first = true;
      for (const auto& x : e.as_array()) {
        if (!x.is_number())
          return Error(Errc::UpstreamProtocol, "the Ollama backend sent a malformed embedding");
        if (!first) body += ',';
        first = false;
        append_number(body, x.to_number<double>());
      }
      body += "]}";
    }
    const std::uint64_t prompt = result.usage ? result.usage->prompt_tokens : 0;
    body += "],\"model\":";
    append_json_string(body, meta.model);
    body += ",\"usage\":{\"prompt_tokens\":";
    append_number(body, static_cast<double>(prompt));
    body += ",\"total_tokens\":";
    append_number(body, static_cast<double>(prompt));
    body += "}}";
    result.usage = Usage{prompt, 0};
    return result;
  }

  const auto [text, tool_calls] = message_of(o);
  out["id"] = meta.id;
  out["created"] = meta.created;
  out["model"] = meta.model;
  json::object choice{{"index", 0}};
  if (kind == ApiKind::Chat) {
    out["object"] = "chat.completion";
    json::object message{{"role", "assistant"}, {"content", text}};
    if (tool_calls) message["tool_calls"] = openai_tool_calls(*tool_calls, meta.id);
    choice["message"] = std::move(message);
  } else {
    out["object"] = "text_completion";
    choice["text"] = text;
    choice["logprobs"] = nullptr;
  }
  choice["finish_reason"] = map_finish(o, tool_calls != nullptr);
  out["choices"] = json::array{std::move(choice)};
  if (result.usage) out["usage"] = usage_json(*result.usage);
  result.body = json::serialize(out);
  return result;
}

std::string ollama_error_to_openai(int status, std::string_view ollama_body) {
  std::string message;
  boost::system::error_code ec;
  json::value v = json::parse(ollama_body, ec);
  if (!ec && v.is_object()) {
    if (const auto* e = v.as_object().if_contains("error"); e && e->is_string())
      message = e->as_string();
  }
  if (message.empty()) message = std::string(ollama_body.substr(0, 512));
  if (message.empty())
    message = "the Ollama backend answered with status " + std::to_string(status);
  const bool client_fault = status >= 400 && status < 500;
  return error_json(message, client_fault ? "invalid_request_error" : "api_error", "",
                    status == 404 ? "model_not_found" : "");
}

void OllamaStreamTranslator::on_line(std::string_view line, std::string& out) {
  if (done_ || failed_) return;
  boost::system::error_code ec;
  json::value v = json::parse(line, ec);
  if (ec || !v.is_object()) {
    failed_ = true;
    error_ = "the Ollama backend sent a line that is not JSON";
    append_sse_error(out, error_, "upstream_bad_response");
    return;
  }
  const auto& o = v.as_object();
  if (const auto* err = o.if_contains("error")) {
    failed_ = true;
    const std::string message =
        err->is_string() ? std::string(err->as_string()) : json::serialize(*err);
    error_ = "the Ollama backend sent an error in its stream: " + message;
    append_sse_error(out, message, "");
    return;
  }
  const auto [text, tool_calls] = message_of(o);
  const auto* done = o.if_contains("done");
  const bool is_done = done && done->is_bool() && done->as_bool();

  if (!text.empty() || tool_calls || (!sent_role_ && chat_ && !is_done)) {
    std::string delta;
    if (chat_) {
      json::object d;
      if (!sent_role_) d["role"] = "assistant";
      d["content"] = text;
      if (tool_calls) d["tool_calls"] = openai_tool_calls(*tool_calls, meta_.id);
      delta = json::serialize(d);
      sent_role_ = true;
    } else {
      append_json_string(delta, text);
    }
    chunk(out, delta, "");
  }
  if (is_done) {
    done_ = true;
    usage_ = ollama_usage(o);
    chunk(out, chat_ ? "{}" : "\"\"", map_finish(o, tool_calls != nullptr));
    if (meta_.include_usage && usage_) append_usage_chunk(out, meta_, *usage_, chat_);
  }
}

void OllamaStreamTranslator::finish(std::string& out) {
  if (failed_) return;
  if (!done_) {
    error_ = "the Ollama backend ended the stream before it was done";
    append_sse_error(out, error_, "upstream_stream_broken");
    return;
  }
  out += "data: [DONE]\n\n";
}

}  // namespace fleetgate
