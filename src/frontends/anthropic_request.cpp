// Anthropic Messages requests as chat completions (the request half of the front end) and the
// token estimate for count_tokens.
#include "frontends/anthropic_request.h"

#include "frontends/anthropic_front.h"

#include "core/json_escape.h"
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

// An image block's source as an OpenAI image_url part (JSON text); false when it has none.
bool append_image_part(std::string& out, const json::object& block) {
  const auto* s = block.if_contains("source");
  if (!s || !s->is_object()) return false;
  const auto& source = s->as_object();
  std::string url;
  if (string_at(source, "type") == "base64")
    url = "data:" + std::string(string_at(source, "media_type")) + ";base64," +
          std::string(string_at(source, "data"));
  else if (string_at(source, "type") == "url")
    url = string_at(source, "url");
  if (url.empty()) return false;
  out += R"({"type":"image_url","image_url":{"url":)";
  append_json_string(out, url);
  out += "}}";
  return true;
}

// The chat messages as they are written: each begins with a comma but the first.
struct MessageList {
  std::string& out;
  bool first = true;
  void begin(std::string_view role) {
    out += first ? "{\"role\":" : ",{\"role\":";
    first = false;
    append_json_string(out, role);
  }
};

// One Anthropic message as OpenAI messages: tool results first (each its own "tool" message,
// right after the assistant's calls), then the rest of the turn.
Result<void> add_message(const json::object& m, MessageList& list, std::string& dropped) {
  const std::string_view role = string_at(m, "role");
  if (role != "user" && role != "assistant")
    return Error(Errc::BadRequest, "messages: role must be 'user' or 'assistant'.", "messages");
  const json::value* content = m.if_contains("content");
  if (!content || !(content->is_string() || content->is_array()))
    return Error(Errc::BadRequest, "messages: content must be a string or a list of blocks.",
                 "messages");
  std::string& out = list.out;
  if (content->is_string()) {
    list.begin(role);
    out += ",\"content\":";
    append_json_string(out, content->as_string());
    out += '}';
    return {};
  }
  std::string parts;  // the content parts (JSON text, comma-separated)
  std::string text;   // the text parts joined
  std::string calls;  // the tool calls (JSON text, comma-separated)
  bool images = false;
  for (const auto& b : content->as_array()) {
    if (!b.is_object()) continue;
    const auto& block = b.as_object();
    const std::string_view type = string_at(block, "type");
    if (type == "text") {
      const std::string_view t = string_at(block, "text");
      if (!parts.empty()) parts += ',';
      parts += R"({"type":"text","text":)";
      append_json_string(parts, t);
      parts += '}';
      if (!text.empty()) text += "\n";
      text += t;
    } else if (type == "image") {
      if (!parts.empty()) parts += ',';
      if (!append_image_part(parts, block))
        return Error(Errc::BadRequest, "messages: an image needs a base64 or url source.",
                     "messages");
      images = true;
    } else if (type == "tool_use" && role == "assistant") {
      const auto* input = block.if_contains("input");
      if (!calls.empty()) calls += ',';
      calls += "{\"id\":";
      append_json_string(calls, string_at(block, "id"));
      calls += R"(,"type":"function","function":{"name":)";
      append_json_string(calls, string_at(block, "name"));
      calls += ",\"arguments\":";
      append_json_string(calls, input ? json::serialize(*input) : "{}");
      calls += "}}";
    } else if (type == "tool_result") {
      std::string result = text_of(block.if_contains("content"));
      if (const auto* e = block.if_contains("is_error"); e && e->is_bool() && e->as_bool())
        result = "Error: " + result;
      list.begin("tool");
      out += ",\"tool_call_id\":";
      append_json_string(out, string_at(block, "tool_use_id"));
      out += ",\"content\":";
      append_json_string(out, result);
      out += '}';
    } else {  // thinking, redacted_thinking, document, server tools' blocks
      add_dropped(dropped, std::string("content.") + std::string(type));
    }
  }
  if (parts.empty() && calls.empty()) return {};
  list.begin(role);
  out += ",\"content\":";
  if (role == "assistant" || !images) {  // plain text keeps the widest support
    if (role == "assistant" && text.empty())
      out += "null";
    else
      append_json_string(out, text);
  } else {
    out += '[';
    out += parts;
    out += ']';
  }
  if (!calls.empty()) {
    out += ",\"tool_calls\":[";
    out += calls;
    out += ']';
  }
  out += '}';
  return {};
}

// The tools the backend can run, as chat tools; whether there were any (server tools, which it
// cannot, are dropped and named).
bool append_tools(std::string& out, const json::object& in, std::string& dropped) {
  if (const auto* tools = in.if_contains("tools"); tools && tools->is_array()) {
    std::string converted;
    for (const auto& t : tools->as_array()) {
      if (!t.is_object()) continue;
      const auto& tool = t.as_object();
      const auto* schema = tool.if_contains("input_schema");
      if (!schema) {  // a server tool (web search, bash, …): the backend cannot run it
        add_dropped(dropped, "tools." + std::string(string_at(tool, "name")));
        continue;
      }
      converted += converted.empty() ? R"({"type":"function","function":{"name":)"
                                     : R"(,{"type":"function","function":{"name":)";
      append_json_string(converted, string_at(tool, "name"));
      append_member(converted, "parameters", *schema);
      if (const auto* d = tool.if_contains("description"))
        append_member(converted, "description", *d);
      converted += "}}";
    }
    if (converted.empty()) return false;
    out += ",\"tools\":[";
    out += converted;
    out += ']';
    return true;
  }
  return false;
}

// tool_choice (auto, any, none, a named tool) and disable_parallel_tool_use, when there are tools.
void append_tool_choice(std::string& out, const json::object& in) {
  if (const auto* tc = in.if_contains("tool_choice"); tc && tc->is_object()) {
    const auto& choice = tc->as_object();
    const std::string_view type = string_at(choice, "type");
    if (type == "auto") {
      out += R"(,"tool_choice":"auto")";
    } else if (type == "any") {
      out += R"(,"tool_choice":"required")";
    } else if (type == "none") {
      out += R"(,"tool_choice":"none")";
    } else if (type == "tool") {
      out += R"(,"tool_choice":{"type":"function","function":{"name":)";
      append_json_string(out, string_at(choice, "name"));
      out += "}}";
    }
    if (const auto* p = choice.if_contains("disable_parallel_tool_use");
        p && p->is_bool() && p->as_bool())
      out += R"(,"parallel_tool_calls":false)";
  }
}

}  // namespace

// The chat completion is written as the request is read: no JSON object is built for it.
Result<std::string> anthropic_to_chat(const json::object& in, std::string& dropped) {
  std::string out = "{\"model\":";
  out += json::serialize(in.at("model"));
  out += ",\"messages\":[";
  MessageList list{out};
  if (const auto* system = in.if_contains("system")) {
    const std::string text = text_of(system);
    if (!text.empty()) {
      list.begin("system");
      out += ",\"content\":";
      append_json_string(out, text);
      out += '}';
    }
  }
  const auto* turns = in.if_contains("messages");
  if (!turns || !turns->is_array())
    return Error(Errc::BadRequest, "messages: Field required (a list).", "messages");
  for (const auto& m : turns->as_array()) {
    if (!m.is_object())
      return Error(Errc::BadRequest, "messages: each message must be an object.", "messages");
    if (auto r = add_message(m.as_object(), list, dropped); !r) return r.error();
  }
  out += ']';
  const auto* max_tokens = in.if_contains("max_tokens");
  if (!max_tokens || !max_tokens->is_number())
    return Error(Errc::BadRequest, "max_tokens: Field required (a number).", "max_tokens");
  append_member(out, "max_tokens", *max_tokens);
  for (const char* key : {"temperature", "top_p", "top_k"})
    if (const auto* x = in.if_contains(key); x && x->is_number()) append_member(out, key, *x);
  if (const auto* stop = in.if_contains("stop_sequences");
      stop && stop->is_array() && !stop->as_array().empty())
    append_member(out, "stop", *stop);
  if (const auto* md = in.if_contains("metadata"); md && md->is_object())
    if (const auto user = string_at(md->as_object(), "user_id"); !user.empty()) {
      out += ",\"user\":";
      append_json_string(out, user);
    }
  if (append_tools(out, in, dropped)) append_tool_choice(out, in);
  const auto* s = in.if_contains("stream");
  if (s && s->is_bool() && s->as_bool())
    out += R"(,"stream":true,"stream_options":{"include_usage":true})";
  for (const auto& [key, value] : in) {
    static constexpr std::string_view kTaken[] = {
        "model", "system", "messages",       "max_tokens", "temperature", "top_p",
        "top_k", "stream", "stop_sequences", "metadata",   "tools",       "tool_choice"};
    if (std::find(std::begin(kTaken), std::end(kTaken), std::string_view(key)) == std::end(kTaken))
      add_dropped(dropped, key);
  }
  out += '}';
  return out;
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
