// Responses API requests as chat completions (the request half of the front end): items,
// instructions, previous_response_id's conversation, tools, sampling and text.format.
#include "frontends/responses_request.h"

#include "core/json_escape.h"
#include "frontends/json_access.h"

#include <boost/json.hpp>

#include <algorithm>

namespace fleetgate {

namespace json = boost::json;

namespace {

// A Responses content list (or string) as chat content: a string when it is all text.
json::value chat_content(const json::value* content, std::string& dropped) {
  if (!content) return "";
  if (content->is_string()) return content->as_string();
  if (!content->is_array()) return "";
  json::array parts;
  bool only_text = true;
  for (const auto& p : content->as_array()) {
    if (!p.is_object()) continue;
    const auto& part = p.as_object();
    const std::string_view type = string_at(part, "type");
    if (type == "input_text" || type == "output_text" || type == "text") {
      parts.push_back(json::object{{"type", "text"}, {"text", string_at(part, "text")}});
    } else if (type == "input_image" && !string_at(part, "image_url").empty()) {
      json::object image{{"url", string_at(part, "image_url")}};
      if (const auto d = string_at(part, "detail"); !d.empty()) image["detail"] = d;
      parts.push_back(json::object{{"type", "image_url"}, {"image_url", std::move(image)}});
      only_text = false;
    } else {
      add_dropped(dropped, "input." + std::string(type));
    }
  }
  if (!only_text) return parts;
  std::string text;
  for (const auto& p : parts) text += string_at(p.as_object(), "text");
  return json::value(text);
}

Result<void> add_input(const json::value& input, json::array& messages, std::string& dropped) {
  if (input.is_string()) {
    messages.push_back(json::object{{"role", "user"}, {"content", input.as_string()}});
    return {};
  }
  if (!input.is_array())
    return Error(Errc::BadRequest, "input must be a string or a list of items.", "input");
  for (const auto& i : input.as_array()) {
    if (!i.is_object())
      return Error(Errc::BadRequest, "Each input item must be an object.", "input");
    const auto& item = i.as_object();
    std::string_view type = string_at(item, "type");
    if (type.empty() && item.contains("role")) type = "message";
    if (type == "message") {
      std::string_view role = string_at(item, "role");
      if (role == "developer") role = "system";  // the widest support among chat templates
      if (role != "user" && role != "assistant" && role != "system")
        return Error(Errc::BadRequest,
                     "input: a message's role must be user, assistant, system "
                     "or developer.",
                     "input");
      messages.push_back(json::object{
          {"role", role}, {"content", chat_content(item.if_contains("content"), dropped)}});
    } else if (type == "function_call") {
      json::object call{
          {"id", string_at(item, "call_id")},
          {"type", "function"},
          {"function", json::object{{"name", string_at(item, "name")},
                                    {"arguments", string_at(item, "arguments").empty()
                                                      ? std::string_view("{}")
                                                      : string_at(item, "arguments")}}}};
      // Calls in a row belong to one assistant turn.
      json::object* last = messages.empty() ? nullptr : &messages.back().as_object();
      if (last && string_at(*last, "role") == "assistant") {
        if (!last->contains("tool_calls")) (*last)["tool_calls"] = json::array{};
        (*last)["tool_calls"].as_array().push_back(std::move(call));
      } else {
        messages.push_back(json::object{
            {"role", "assistant"}, {"content", nullptr}, {"tool_calls", json::array{call}}});
      }
    } else if (type == "function_call_output") {
      const auto* output = item.if_contains("output");
      std::string text;
      if (output && output->is_string()) {
        text = output->as_string();
      } else if (output) {  // a list of parts: its text, else the JSON as it came
        const json::value content = chat_content(output, dropped);
        text = content.is_string() ? std::string(content.as_string()) : json::serialize(*output);
      }
      messages.push_back(json::object{
          {"role", "tool"}, {"tool_call_id", string_at(item, "call_id")}, {"content", text}});
    } else {  // reasoning, item_reference, hosted tools' calls
      add_dropped(dropped, "input." + std::string(type));
    }
  }
  return {};
}

}  // namespace

Result<ResponsesRequest> responses_to_chat(const json::object& in, std::string_view model,
                                           bool stream, const PreviousLookup* previous,
                                           std::string& dropped) {
  ResponsesRequest r;
  // The chat completion is written as the request is read; only the conversation (kept with
  // the response) is built as JSON.
  std::string out = "{\"model\":";
  append_json_string(out, model);
  out += ",\"messages\":[";
  bool first = true;
  if (const auto* s = in.if_contains("instructions"); s && s->is_string()) {
    r.echo.push_back({"instructions", json::serialize(*s)});
    if (!s->as_string().empty()) {
      out += "{\"role\":\"system\",\"content\":";
      append_json_string(out, s->as_string());
      out += '}';
      first = false;
    }
  }
  if (const auto* p = in.if_contains("previous_response_id"); p && p->is_string()) {
    r.echo.push_back({"previous_response_id", json::serialize(*p)});
    std::optional<std::string> stored;
    if (previous && *previous) stored = (*previous)(p->as_string());
    if (!stored)
      return Error(Errc::NotFound,
                   "Previous response with id '" + std::string(p->as_string()) + "' not found.",
                   "previous_response_id");
    // Our own list of chat messages, as ResponsesCall::to_store wrote it: taken as it is.
    std::string_view list = *stored;
    if (list.size() >= 2 && list.front() == '[' && list.back() == ']')
      r.history = list.substr(1, list.size() - 2);
  }
  const auto* input = in.if_contains("input");
  if (!input) return Error(Errc::BadRequest, "Missing required parameter: 'input'.", "input");
  {
    JsonScratch scratch;  // the input's messages, built once to be written once
    json::array messages(scratch.storage());
    if (auto added = add_input(*input, messages, dropped); !added) return added.error();
    for (const auto& m : messages) {
      if (!r.history.empty()) r.history += ',';
      r.history += json::serialize(m);
    }
  }
  if (r.history.empty())
    return Error(Errc::BadRequest, "input has no messages to answer.", "input");
  if (!first) out += ',';
  out += r.history;
  out += ']';

  if (const auto* n = in.if_contains("max_output_tokens"); n && n->is_number()) {
    append_member(out, "max_tokens", *n);
    r.echo.push_back({"max_output_tokens", json::serialize(*n)});
  }
  for (const char* key : {"temperature", "top_p"})
    if (const auto* x = in.if_contains(key); x && x->is_number()) {
      append_member(out, key, *x);
      r.echo.push_back({key, json::serialize(*x)});
    }
  if (const auto* p = in.if_contains("parallel_tool_calls"); p && p->is_bool()) {
    append_member(out, "parallel_tool_calls", *p);
    r.echo.push_back({"parallel_tool_calls", json::serialize(*p)});
  }
  std::string echoed_tools = "[";
  bool has_tools = false;
  if (const auto* tools = in.if_contains("tools"); tools && tools->is_array()) {
    std::string converted;
    for (const auto& t : tools->as_array()) {
      if (!t.is_object()) continue;
      const auto& tool = t.as_object();
      if (string_at(tool, "type") != "function") {  // hosted tools no backend of ours runs
        add_dropped(dropped, "tools." + std::string(string_at(tool, "type")));
        continue;
      }
      converted += converted.empty() ? R"({"type":"function","function":{"name":)"
                                     : R"(,{"type":"function","function":{"name":)";
      append_json_string(converted, string_at(tool, "name"));
      if (const auto* d = tool.if_contains("description"))
        append_member(converted, "description", *d);
      if (const auto* params = tool.if_contains("parameters"))
        append_member(converted, "parameters", *params);
      else
        converted += R"(,"parameters":{"type":"object"})";
      if (const auto* strict = tool.if_contains("strict"); strict && strict->is_bool())
        append_member(converted, "strict", *strict);
      converted += "}}";
      if (echoed_tools.size() > 1) echoed_tools += ',';
      echoed_tools += json::serialize(tool);
    }
    if (!converted.empty()) {
      has_tools = true;
      out += ",\"tools\":[";
      out += converted;
      out += ']';
    }
  }
  echoed_tools += ']';
  r.echo.push_back({"tools", std::move(echoed_tools)});
  if (const auto* tc = in.if_contains("tool_choice")) {
    r.echo.push_back({"tool_choice", json::serialize(*tc)});
    if (has_tools) {
      if (tc->is_string()) {
        append_member(out, "tool_choice", *tc);
      } else if (tc->is_object() && string_at(tc->as_object(), "type") == "function") {
        out += R"(,"tool_choice":{"type":"function","function":{"name":)";
        append_json_string(out, string_at(tc->as_object(), "name"));
        out += "}}";
      }
    }
  }
  if (const auto* text = in.if_contains("text"); text && text->is_object()) {
    r.echo.push_back({"text", json::serialize(*text)});
    if (const auto* f = text->as_object().if_contains("format"); f && f->is_object()) {
      const auto& format = f->as_object();
      const std::string_view type = string_at(format, "type");
      if (type == "json_schema") {
        out += R"(,"response_format":{"type":"json_schema","json_schema":{"name":)";
        const std::string_view name = string_at(format, "name");
        append_json_string(out, name.empty() ? std::string_view("output") : name);
        if (const auto* s = format.if_contains("schema")) append_member(out, "schema", *s);
        if (const auto* s = format.if_contains("strict")) append_member(out, "strict", *s);
        out += "}}";
      } else if (type == "json_object") {
        out += R"(,"response_format":{"type":"json_object"})";
      }
    }
    if (text->as_object().contains("verbosity")) add_dropped(dropped, "text.verbosity");
  }
  if (const auto* s = in.if_contains("store"); s && s->is_bool()) r.store = s->as_bool();
  if (const auto* m = in.if_contains("metadata"); m && m->is_object())
    r.echo.push_back({"metadata", json::serialize(*m)});
  if (const auto* u = in.if_contains("user"); u && u->is_string()) append_member(out, "user", *u);
  if (stream) out += R"(,"stream":true,"stream_options":{"include_usage":true})";
  for (const auto& [key, value] : in) {
    static constexpr std::string_view kTaken[] = {"model",
                                                  "input",
                                                  "instructions",
                                                  "previous_response_id",
                                                  "max_output_tokens",
                                                  "temperature",
                                                  "top_p",
                                                  "parallel_tool_calls",
                                                  "tools",
                                                  "tool_choice",
                                                  "text",
                                                  "store",
                                                  "metadata",
                                                  "user",
                                                  "stream"};
    if (std::find(std::begin(kTaken), std::end(kTaken), std::string_view(key)) ==
            std::end(kTaken) &&
        !value.is_null())
      add_dropped(dropped, key);
  }
  out += '}';
  r.internal = std::move(out);
  return r;
}

}  // namespace fleetgate
