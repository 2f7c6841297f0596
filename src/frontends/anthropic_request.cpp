// Anthropic Messages requests as chat completions (the request half of the front end) and the
// token estimate for count_tokens.
#include "frontends/anthropic_request.h"

#include "frontends/anthropic_front.h"

#include "frontends/front_call.h"
#include "frontends/json_access.h"

#include <boost/json.hpp>

#include <algorithm>

namespace fleetgate {

namespace json = boost::json;

namespace {

// The text of a system prompt or tool_result: a string, or the text of its blocks.
std::string text_of(const json::value* v) {
  if (!v) return {};
  if (v->is_string()) return std::string(v->as_string());
  std::string text;
  if (v->is_array())
    for (const auto& b : v->as_array())
      if (b.is_object() && string_at(b.as_object(), "type") == "text") {
        if (!text.empty()) text += "\n";
        text += string_at(b.as_object(), "text");
      }
  return text;
}

// An image block's source as an OpenAI image_url part.
std::optional<json::object> image_part(const json::object& block) {
  const auto* s = block.if_contains("source");
  if (!s || !s->is_object()) return std::nullopt;
  const auto& source = s->as_object();
  std::string url;
  if (string_at(source, "type") == "base64")
    url = "data:" + std::string(string_at(source, "media_type")) + ";base64," +
          std::string(string_at(source, "data"));
  else if (string_at(source, "type") == "url")
    url = string_at(source, "url");
  if (url.empty()) return std::nullopt;
  return json::object{{"type", "image_url"}, {"image_url", json::object{{"url", url}}}};
}

// One Anthropic message as OpenAI messages: tool results first (each its own "tool" message,
// right after the assistant's calls), then the rest of the turn.
Result<void> add_message(const json::object& m, json::array& out, std::string& dropped) {
  const std::string_view role = string_at(m, "role");
  if (role != "user" && role != "assistant")
    return Error(Errc::BadRequest, "messages: role must be 'user' or 'assistant'.", "messages");
  const json::value* content = m.if_contains("content");
  if (!content || !(content->is_string() || content->is_array()))
    return Error(Errc::BadRequest, "messages: content must be a string or a list of blocks.",
                 "messages");
  if (content->is_string()) {
    out.push_back(json::object{{"role", role}, {"content", content->as_string()}});
    return {};
  }
  json::array parts;
  json::array calls;
  bool images = false;
  for (const auto& b : content->as_array()) {
    if (!b.is_object()) continue;
    const auto& block = b.as_object();
    const std::string_view type = string_at(block, "type");
    if (type == "text") {
      parts.push_back(json::object{{"type", "text"}, {"text", string_at(block, "text")}});
    } else if (type == "image") {
      auto part = image_part(block);
      if (!part)
        return Error(Errc::BadRequest, "messages: an image needs a base64 or url source.",
                     "messages");
      parts.push_back(std::move(*part));
      images = true;
    } else if (type == "tool_use" && role == "assistant") {
      const auto* input = block.if_contains("input");
      calls.push_back(json::object{
          {"id", string_at(block, "id")},
          {"type", "function"},
          {"function", json::object{{"name", string_at(block, "name")},
                                    {"arguments", input ? json::serialize(*input) : "{}"}}}});
    } else if (type == "tool_result") {
      std::string text = text_of(block.if_contains("content"));
      if (const auto* e = block.if_contains("is_error"); e && e->is_bool() && e->as_bool())
        text = "Error: " + text;
      out.push_back(json::object{
          {"role", "tool"}, {"tool_call_id", string_at(block, "tool_use_id")}, {"content", text}});
    } else {  // thinking, redacted_thinking, document, server tools' blocks
      add_dropped(dropped, std::string("content.") + std::string(type));
    }
  }
  if (parts.empty() && calls.empty()) return {};
  json::object msg{{"role", role}};
  if (role == "assistant" || !images) {  // plain text keeps the widest support
    std::string text;
    for (const auto& p : parts) {
      if (!text.empty()) text += "\n";
      text += string_at(p.as_object(), "text");
    }
    if (role == "assistant" && text.empty())
      msg["content"] = nullptr;
    else
      msg["content"] = text;
  } else {
    msg["content"] = std::move(parts);
  }
  if (!calls.empty()) msg["tool_calls"] = std::move(calls);
  out.push_back(std::move(msg));
  return {};
}

}  // namespace

Result<std::string> anthropic_to_chat(const json::object& in, std::string& dropped) {
  json::object out;
  out["model"] = in.at("model");
  json::array messages;
  if (const auto* system = in.if_contains("system")) {
    const std::string text = text_of(system);
    if (!text.empty()) messages.push_back(json::object{{"role", "system"}, {"content", text}});
  }
  const auto* turns = in.if_contains("messages");
  if (!turns || !turns->is_array())
    return Error(Errc::BadRequest, "messages: Field required (a list).", "messages");
  for (const auto& m : turns->as_array()) {
    if (!m.is_object())
      return Error(Errc::BadRequest, "messages: each message must be an object.", "messages");
    if (auto r = add_message(m.as_object(), messages, dropped); !r) return r.error();
  }
  out["messages"] = std::move(messages);
  const auto* max_tokens = in.if_contains("max_tokens");
  if (!max_tokens || !max_tokens->is_number())
    return Error(Errc::BadRequest, "max_tokens: Field required (a number).", "max_tokens");
  out["max_tokens"] = *max_tokens;
  for (const char* key : {"temperature", "top_p", "top_k"})
    if (const auto* x = in.if_contains(key); x && x->is_number()) out[key] = *x;
  if (const auto* stop = in.if_contains("stop_sequences");
      stop && stop->is_array() && !stop->as_array().empty())
    out["stop"] = *stop;
  if (const auto* md = in.if_contains("metadata"); md && md->is_object())
    if (const auto user = string_at(md->as_object(), "user_id"); !user.empty()) out["user"] = user;
  if (const auto* tools = in.if_contains("tools"); tools && tools->is_array()) {
    json::array converted;
    for (const auto& t : tools->as_array()) {
      if (!t.is_object()) continue;
      const auto& tool = t.as_object();
      const auto* schema = tool.if_contains("input_schema");
      if (!schema) {  // a server tool (web search, bash, …): the backend cannot run it
        add_dropped(dropped, "tools." + std::string(string_at(tool, "name")));
        continue;
      }
      json::object fn{{"name", string_at(tool, "name")}, {"parameters", *schema}};
      if (const auto* d = tool.if_contains("description")) fn["description"] = *d;
      converted.push_back(json::object{{"type", "function"}, {"function", std::move(fn)}});
    }
    if (!converted.empty()) out["tools"] = std::move(converted);
  }
  if (const auto* tc = in.if_contains("tool_choice");
      tc && tc->is_object() && out.contains("tools")) {
    const auto& choice = tc->as_object();
    const std::string_view type = string_at(choice, "type");
    if (type == "auto")
      out["tool_choice"] = "auto";
    else if (type == "any")
      out["tool_choice"] = "required";
    else if (type == "none")
      out["tool_choice"] = "none";
    else if (type == "tool")
      out["tool_choice"] = json::object{
          {"type", "function"}, {"function", json::object{{"name", string_at(choice, "name")}}}};
    if (const auto* p = choice.if_contains("disable_parallel_tool_use");
        p && p->is_bool() && p->as_bool())
      out["parallel_tool_calls"] = false;
  }
  const auto* s = in.if_contains("stream");
  if (s && s->is_bool() && s->as_bool()) {
    out["stream"] = true;
    out["stream_options"] = json::object{{"include_usage", true}};
  }
  for (const auto& [key, value] : in) {
    static constexpr std::string_view kTaken[] = {
        "model", "system", "messages",       "max_tokens", "temperature", "top_p",
        "top_k", "stream", "stop_sequences", "metadata",   "tools",       "tool_choice"};
    if (std::find(std::begin(kTaken), std::end(kTaken), std::string_view(key)) == std::end(kTaken))
      add_dropped(dropped, key);
  }
  return json::serialize(out);
}

Result<std::uint64_t> estimate_input_tokens(std::string_view body) {
  boost::system::error_code ec;
  JsonScratch scratch;
  const json::value v = scratch.parse(body, ec);
  if (ec || !v.is_object()) return Error(Errc::BadRequest, "The body is not a JSON object.");
  std::uint64_t bytes = 0;
  std::uint64_t fixed = 0;
  // Every string counts, keys and values alike, but images are a fixed ~1,600 tokens.
  auto walk = [&](auto& self, const json::value& x) -> void {
    if (x.is_string()) {
      bytes += x.as_string().size();
    } else if (x.is_array()) {
      for (const auto& e : x.as_array()) self(self, e);
    } else if (x.is_object()) {
      const auto& o = x.as_object();
      if (string_at(o, "type") == "image") {
        fixed += 1600;
        return;
      }
      for (const auto& [key, value] : o) {
        bytes += key.size();
        self(self, value);
      }
    }
  };
  const auto& o = v.as_object();
  for (const char* key : {"system", "messages", "tools"})
    if (const auto* x = o.if_contains(key)) walk(walk, *x);
  if (const auto* tools = o.if_contains("tools"); tools && tools->is_array())
    fixed += 10 * tools->as_array().size();
  return (bytes + 3) / 4 + fixed + 3;
}

}  // namespace fleetgate
