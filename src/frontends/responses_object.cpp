#include "frontends/responses_object.h"

#include "core/json_escape.h"

#include <boost/json.hpp>

namespace fleetgate {

namespace json = boost::json;

namespace {

// A field of the response: what the request said (`echo`), else `fallback` (JSON text).
void append_field(std::string& out, const std::vector<Echoed>& echo, std::string_view key,
                  std::string_view fallback) {
  out += ",\"";
  out += key;
  out += "\":";
  for (const auto& e : echo)
    if (e.key == key) {
      out += e.json;
      return;
    }
  out += fallback;
}

// ,"usage":{…} once the answer is in, else null.
void append_usage(std::string& r, const std::optional<Usage>& usage, std::string_view status) {
  r += ",\"usage\":";
  if (!usage || status == "in_progress") {
    r += "null";
    return;
  }
  r += "{\"input_tokens\":";
  r += std::to_string(usage->prompt_tokens);
  r += R"(,"input_tokens_details":{"cached_tokens":0},"output_tokens":)";
  r += std::to_string(usage->completion_tokens);
  r += R"(,"output_tokens_details":{"reasoning_tokens":0},"total_tokens":)";
  r += std::to_string(usage->prompt_tokens + usage->completion_tokens);
  r += '}';
}

}  // namespace

void append_text_part(std::string& out, std::string_view text) {
  out += R"({"type":"output_text","text":)";
  append_json_string(out, text);
  out += R"(,"annotations":[],"logprobs":[]})";
}

void append_item(std::string& out, const ResponseItem& i, std::string_view status) {
  out += "{\"id\":";
  append_json_string(out, i.id);
  if (i.call) {
    out += ",\"type\":\"function_call\",\"status\":\"";
    out += status;
    out += "\",\"arguments\":";
    append_json_string(out, i.arguments);
    out += ",\"call_id\":";
    append_json_string(out, i.call_id);
    out += ",\"name\":";
    append_json_string(out, i.name);
    out += '}';
    return;
  }
  out += ",\"type\":\"message\",\"status\":\"";
  out += status;
  out += "\",\"role\":\"assistant\",\"content\":[";
  if (status == "completed" || !i.text.empty()) append_text_part(out, i.text);
  out += "]}";
}

std::string response_object(const ResponseState& s, std::string_view status,
                            std::string_view error) {
  std::string r;
  r.reserve(800);
  r += "{\"id\":";
  append_json_string(r, s.id);
  r += ",\"object\":\"response\",\"created_at\":";
  r += std::to_string(s.created);
  r += ",\"status\":\"";
  r += status;
  r += "\",\"background\":false,\"error\":";
  if (error.empty()) {
    r += "null";
  } else {
    r += R"({"code":"server_error","message":)";
    append_json_string(r, error);
    r += '}';
  }
  r += ",\"incomplete_details\":";
  r += status == "incomplete" ? R"({"reason":"max_output_tokens"})" : "null";
  append_field(r, s.echo, "instructions", "null");
  append_field(r, s.echo, "max_output_tokens", "null");
  r += ",\"model\":";
  append_json_string(r, s.model);
  r += ",\"output\":[";
  for (std::size_t n = 0; n < s.items.size(); ++n) {
    if (n > 0) r += ',';
    append_item(r, s.items[n], "completed");
  }
  r += ']';
  append_field(r, s.echo, "parallel_tool_calls", "true");
  append_field(r, s.echo, "previous_response_id", "null");
  append_field(r, s.echo, "reasoning", R"({"effort":null,"summary":null})");
  r += s.store ? ",\"store\":true" : ",\"store\":false";
  append_field(r, s.echo, "temperature", "null");
  append_field(r, s.echo, "text", R"({"format":{"type":"text"}})");
  append_field(r, s.echo, "tool_choice", "\"auto\"");
  append_field(r, s.echo, "tools", "[]");
  append_field(r, s.echo, "top_p", "null");
  append_field(r, s.echo, "truncation", "\"disabled\"");
  append_usage(r, s.usage, status);
  append_field(r, s.echo, "metadata", "{}");
  r += '}';
  return r;
}

std::string conversation_with_answer(std::string_view history,
                                     const std::vector<ResponseItem>& items) {
  json::object assistant{{"role", "assistant"}};
  std::string text;
  json::array calls;
  for (const auto& i : items) {
    if (!i.call) {
      text += i.text;
    } else {
      calls.push_back(
          json::object{{"id", i.call_id},
                       {"type", "function"},
                       {"function", json::object{{"name", i.name}, {"arguments", i.arguments}}}});
    }
  }
  assistant["content"] = text.empty() && !calls.empty() ? json::value(nullptr) : json::value(text);
  if (!calls.empty()) assistant["tool_calls"] = std::move(calls);
  std::string conversation = "[";
  conversation += history;
  if (!history.empty()) conversation += ',';
  conversation += json::serialize(assistant);
  conversation += ']';
  return conversation;
}

}  // namespace fleetgate
