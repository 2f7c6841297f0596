#include "frontends/chat_form.h"

#include "core/checked_cast.h"

#include "frontends/chat_scan.h"
#include "frontends/json_access.h"

#include <boost/json.hpp>

namespace fleetgate {

namespace json = boost::json;

namespace {

std::optional<Usage> usage_of(const json::object& o) {
  const auto* u = o.if_contains("usage");
  if (!u || !u->is_object()) return std::nullopt;
  return Usage{count_at(u->as_object(), "prompt_tokens"),
               count_at(u->as_object(), "completion_tokens")};
}

// The text of a message's content: a string, or the text parts of a list.
std::string text_of(const json::value* content) {
  if (!content) return {};
  if (content->is_string()) return std::string(content->as_string());
  std::string text;
  if (content->is_array())
    for (const auto& p : content->as_array())
      if (p.is_object()) text += string_at(p.as_object(), "text");
  return text;
}

}  // namespace

// The DOM reading, for what scan_chat leaves to it (ChatReading::odd).
Result<ChatAnswer> parse_chat_answer_dom(std::string_view body) {
  boost::system::error_code ec;
  JsonScratch scratch;
  const json::value v = scratch.parse(body, ec);
  if (ec || !v.is_object())
    return Error(Errc::UpstreamProtocol, "the backend's chat completion is not a JSON object");
  const auto& o = v.as_object();
  ChatAnswer a;
  a.usage = usage_of(o);
  const auto* choices = o.if_contains("choices");
  if (!choices || !choices->is_array() || choices->as_array().empty() ||
      !choices->as_array()[0].is_object())
    return Error(Errc::UpstreamProtocol, "the backend's chat completion has no choices");
  const auto& choice = choices->as_array()[0].as_object();
  a.finish_reason = string_at(choice, "finish_reason");
  a.stop_sequence = string_at(choice, "stop_reason");
  if (const auto* m = choice.if_contains("message"); m && m->is_object()) {
    const auto& msg = m->as_object();
    a.text = text_of(msg.if_contains("content"));
    if (const auto* calls = msg.if_contains("tool_calls"); calls && calls->is_array()) {
      for (const auto& c : calls->as_array()) {
        if (!c.is_object()) continue;
        ToolCall call{std::string(string_at(c.as_object(), "id")), {}, {}};
        if (const auto* fn = c.as_object().if_contains("function"); fn && fn->is_object()) {
          call.name = string_at(fn->as_object(), "name");
          if (const auto* args = fn->as_object().if_contains("arguments")) {
            if (args->is_string())
              call.arguments = args->as_string();
            else if (args->is_object())  // some servers send an object
              call.arguments = json::serialize(*args);
          }
        }
        if (call.arguments.empty()) call.arguments = "{}";
        a.tool_calls.push_back(std::move(call));
      }
    }
  }
  return a;
}

void append_object_text(std::string& out, std::string_view arguments) {
  boost::system::error_code ec;
  JsonScratch scratch;
  const json::value v = scratch.parse(arguments, ec);
  out += !ec && v.is_object() ? arguments : std::string_view("{}");
}

Result<ChatAnswer> parse_chat_answer(std::string_view body) {
  ChatReading r;
  boost::system::error_code ec;
  if (!scan_chat(body, r, ec) || !r.object)
    return Error(Errc::UpstreamProtocol, "the backend's chat completion is not a JSON object");
  if (r.odd) return parse_chat_answer_dom(body);
  if (!r.choices)
    return Error(Errc::UpstreamProtocol, "the backend's chat completion has no choices");
  ChatAnswer a;
  a.text = std::move(r.text);
  a.finish_reason = std::move(r.finish_reason);
  a.stop_sequence = std::move(r.stop_sequence);
  a.usage = r.usage;
  a.tool_calls.reserve(r.calls.size());
  for (auto& c : r.calls)
    a.tool_calls.push_back(
        ToolCall{std::move(c.id), std::move(c.name),
                 c.arguments.empty() ? std::string("{}") : std::move(c.arguments)});
  return a;
}

std::string error_message_of(int status, std::string_view body) {
  boost::system::error_code ec;
  JsonScratch scratch;
  const json::value v = scratch.parse(body, ec);
  if (!ec && v.is_object()) {
    if (const auto* e = v.as_object().if_contains("error")) {
      if (e->is_string() && !e->as_string().empty()) return std::string(e->as_string());
      if (e->is_object()) {
        const std::string_view m = string_at(e->as_object(), "message");
        if (!m.empty()) return std::string(m);
      }
    }
    const std::string_view detail = string_at(v.as_object(), "detail");  // FastAPI servers
    if (!detail.empty()) return std::string(detail);
  }
  if (!body.empty()) return std::string(body.substr(0, 512));
  return "the backend answered with status " + std::to_string(status);
}

void ChatStreamReader::feed(std::string_view bytes, ChatStreamSink& sink) {
  sse_.feed(bytes, [&](const SseEvent& e) { event(e.data, sink); });
}

void ChatStreamReader::event(std::string_view data, ChatStreamSink& sink) {
  if (data == "[DONE]") {
    sink.on_done();
    return;
  }
  ChatReading r;
  boost::system::error_code ec;
  if (!scan_chat(data, r, ec) || !r.object) return;
  if (r.odd) {
    event_dom(data, sink);
    return;
  }
  if (r.error) {
    sink.on_error(r.error->empty() ? std::string_view("the backend reported an error in its stream")
                                   : std::string_view(*r.error));
    return;
  }
  if (!r.text.empty()) sink.on_text(r.text);
  for (const auto& call : r.calls) {
    if (call.index >= started_.size()) started_.resize(call.index + 1, false);
    if (!started_[call.index]) {
      started_[call.index] = true;
      sink.on_tool_start(call.index, call.id, call.name);
    }
    if (!call.arguments.empty()) sink.on_tool_arguments(call.index, call.arguments);
  }
  if (!r.finish_reason.empty()) sink.on_finish(r.finish_reason, r.stop_sequence);
  if (r.usage) sink.on_usage(*r.usage);
}

void ChatStreamReader::event_dom(std::string_view data, ChatStreamSink& sink) {
  boost::system::error_code ec;
  JsonScratch scratch;
  const json::value v = scratch.parse(data, ec);
  if (ec || !v.is_object()) return;
  const auto& o = v.as_object();
  if (const auto* e = o.if_contains("error")) {
    std::string message = "the backend reported an error in its stream";
    if (e->is_string()) message = e->as_string();
    if (e->is_object() && !string_at(e->as_object(), "message").empty())
      message = string_at(e->as_object(), "message");
    sink.on_error(message);
    return;
  }
  if (const auto* choices = o.if_contains("choices"); choices && choices->is_array()) {
    for (const auto& c : choices->as_array()) {
      if (!c.is_object()) continue;
      const auto& choice = c.as_object();
      if (const auto* d = choice.if_contains("delta"); d && d->is_object()) {
        const auto& delta = d->as_object();
        const std::string_view text = string_at(delta, "content");
        if (!text.empty()) sink.on_text(text);
        if (const auto* calls = delta.if_contains("tool_calls"); calls && calls->is_array()) {
          for (const auto& tc : calls->as_array()) {
            if (!tc.is_object()) continue;
            const auto& call = tc.as_object();
            std::size_t index = 0;
            if (const auto* i = call.if_contains("index"); i && i->is_number())
              index = clamp_to_integer<std::size_t>(i->to_number<double>(), 0, 1024);
            const json::object* fn = nullptr;
            if (const auto* f = call.if_contains("function"); f && f->is_object())
              fn = &f->as_object();
            if (index >= started_.size()) started_.resize(index + 1, false);
            if (!started_[index]) {
              started_[index] = true;
              sink.on_tool_start(index, string_at(call, "id"),
                                 fn ? string_at(*fn, "name") : std::string_view());
            }
            if (fn) {
              if (const auto* args = fn->if_contains("arguments")) {
                if (args->is_string() && !args->as_string().empty())
                  sink.on_tool_arguments(index, args->as_string());
                else if (args->is_object())
                  sink.on_tool_arguments(index, json::serialize(*args));
              }
            }
          }
        }
      }
      const std::string_view finish = string_at(choice, "finish_reason");
      if (!finish.empty()) sink.on_finish(finish, string_at(choice, "stop_reason"));
    }
  }
  if (auto u = usage_of(o)) sink.on_usage(*u);
}

}  // namespace fleetgate
