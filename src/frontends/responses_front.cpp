#include "frontends/responses_front.h"

#include "core/checked_cast.h"
#include "frontends/chat_form.h"
#include "openai/error_json.h"

#include <boost/json.hpp>

namespace fleetgate {

namespace json = boost::json;

namespace {

std::string_view string_at(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  return v && v->is_string() ? std::string_view(v->as_string()) : std::string_view();
}

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

std::string short_id(std::string_view request_id, std::string_view prefix, std::size_t n) {
  return std::string(prefix) + std::string(request_id) + "_" + std::to_string(n);
}

class ResponsesCall final : public FrontCall, private ChatStreamSink {
 public:
  explicit ResponsesCall(const FrontInput& in)
      : FrontCall(Dialect::Responses),
        request_id_(in.request_id),
        id_("resp_" + std::string(in.request_id)),
        created_(in.now) {}

  Result<void> translate(const json::object& in, const PreviousLookup* previous) {
    json::object out{{"model", model}};
    json::array messages;
    if (const auto* s = in.if_contains("instructions"); s && s->is_string()) {
      echo_["instructions"] = *s;
      if (!s->as_string().empty())
        messages.push_back(json::object{{"role", "system"}, {"content", s->as_string()}});
    }
    if (const auto* p = in.if_contains("previous_response_id"); p && p->is_string()) {
      echo_["previous_response_id"] = *p;
      std::optional<std::string> stored;
      if (previous && *previous) stored = (*previous)(p->as_string());
      if (!stored)
        return Error(Errc::NotFound,
                     "Previous response with id '" + std::string(p->as_string()) + "' not found.",
                     "previous_response_id");
      boost::system::error_code ec;
      json::value v = json::parse(*stored, ec);
      if (!ec && v.is_array())
        for (auto& m : v.as_array()) history_.push_back(m);
    }
    const auto* input = in.if_contains("input");
    if (!input) return Error(Errc::BadRequest, "Missing required parameter: 'input'.", "input");
    if (auto r = add_input(*input, history_, dropped); !r) return r.error();
    for (const auto& m : history_) messages.push_back(m);
    if (messages.empty())
      return Error(Errc::BadRequest, "input has no messages to answer.", "input");
    out["messages"] = std::move(messages);

    if (const auto* n = in.if_contains("max_output_tokens"); n && n->is_number()) {
      out["max_tokens"] = *n;
      echo_["max_output_tokens"] = *n;
    }
    for (const char* key : {"temperature", "top_p"})
      if (const auto* x = in.if_contains(key); x && x->is_number()) {
        out[key] = *x;
        echo_[key] = *x;
      }
    if (const auto* p = in.if_contains("parallel_tool_calls"); p && p->is_bool()) {
      out["parallel_tool_calls"] = *p;
      echo_["parallel_tool_calls"] = *p;
    }
    json::array echoed_tools;
    if (const auto* tools = in.if_contains("tools"); tools && tools->is_array()) {
      json::array converted;
      for (const auto& t : tools->as_array()) {
        if (!t.is_object()) continue;
        const auto& tool = t.as_object();
        if (string_at(tool, "type") != "function") {  // hosted tools no backend of ours runs
          add_dropped(dropped, "tools." + std::string(string_at(tool, "type")));
          continue;
        }
        json::object fn{{"name", string_at(tool, "name")}};
        if (const auto* d = tool.if_contains("description")) fn["description"] = *d;
        fn["parameters"] = tool.contains("parameters")
                               ? tool.at("parameters")
                               : json::value(json::object{{"type", "object"}});
        if (const auto* strict = tool.if_contains("strict"); strict && strict->is_bool())
          fn["strict"] = *strict;
        converted.push_back(json::object{{"type", "function"}, {"function", std::move(fn)}});
        echoed_tools.push_back(tool);
      }
      if (!converted.empty()) out["tools"] = std::move(converted);
    }
    echo_["tools"] = std::move(echoed_tools);
    if (const auto* tc = in.if_contains("tool_choice")) {
      echo_["tool_choice"] = *tc;
      if (out.contains("tools")) {
        if (tc->is_string())
          out["tool_choice"] = *tc;
        else if (tc->is_object() && string_at(tc->as_object(), "type") == "function")
          out["tool_choice"] = json::object{
              {"type", "function"},
              {"function", json::object{{"name", string_at(tc->as_object(), "name")}}}};
      }
    }
    if (const auto* text = in.if_contains("text"); text && text->is_object()) {
      echo_["text"] = *text;
      if (const auto* f = text->as_object().if_contains("format"); f && f->is_object()) {
        const auto& format = f->as_object();
        const std::string_view type = string_at(format, "type");
        if (type == "json_schema") {
          json::object schema{{"name", string_at(format, "name").empty()
                                           ? std::string_view("output")
                                           : string_at(format, "name")}};
          if (const auto* s = format.if_contains("schema")) schema["schema"] = *s;
          if (const auto* s = format.if_contains("strict")) schema["strict"] = *s;
          out["response_format"] =
              json::object{{"type", "json_schema"}, {"json_schema", std::move(schema)}};
        } else if (type == "json_object") {
          out["response_format"] = json::object{{"type", "json_object"}};
        }
      }
      if (text->as_object().contains("verbosity")) add_dropped(dropped, "text.verbosity");
    }
    if (const auto* s = in.if_contains("store"); s && s->is_bool()) store_ = s->as_bool();
    if (const auto* m = in.if_contains("metadata"); m && m->is_object()) echo_["metadata"] = *m;
    if (const auto* u = in.if_contains("user"); u && u->is_string()) out["user"] = *u;
    if (stream) {
      out["stream"] = true;
      out["stream_options"] = json::object{{"include_usage", true}};
    }
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
    internal = json::serialize(out);
    return {};
  }

  std::optional<std::string> native_path(const Deployment& d) const override {
    if (!d.native_responses) return std::nullopt;
    return d.api_base.base_path + "/responses";
  }
  std::optional<Usage> native_usage(std::string_view body) const override {
    boost::system::error_code ec;
    const json::value v = json::parse(body, ec);
    if (ec || !v.is_object()) return std::nullopt;
    const json::value* u = v.as_object().if_contains("usage");
    if (const auto* r = v.as_object().if_contains("response"); !u && r && r->is_object())
      u = r->as_object().if_contains("usage");  // response.completed
    if (!u || !u->is_object()) return std::nullopt;
    auto n = [&](const char* key) -> std::uint64_t {
      const auto* x = u->as_object().if_contains(key);
      if (!x || !x->is_number()) return 0;
      return clamp_to_integer<std::uint64_t>(x->to_number<double>(), 0, std::uint64_t{1} << 48);
    };
    return Usage{n("input_tokens"), n("output_tokens")};
  }

  Result<std::string> answer(std::string_view internal_body) override {
    auto a = parse_chat_answer(internal_body);
    if (!a) return a.error();
    usage_ = a->usage;
    finish_ = a->finish_reason;
    if (!a->text.empty() || a->tool_calls.empty())
      items_.push_back(Item{false, short_id(request_id_, "msg_", 0), a->text, {}, {}, {}});
    for (const auto& c : a->tool_calls)
      items_.push_back(Item{true,
                            short_id(request_id_, "fc_", items_.size()),
                            {},
                            c.name,
                            c.id.empty() ? short_id(request_id_, "call_", items_.size()) : c.id,
                            c.arguments});
    complete_ = true;
    return json::serialize(response(finished_status()));
  }

  std::string error_body(int status, std::string_view body) const override {
    const HttpError e = render_error(Error(status == 429   ? Errc::RateLimited
                                           : status >= 500 ? Errc::UpstreamProtocol
                                                           : Errc::BadRequest,
                                           error_message_of(status, body)));
    return e.body;
  }

  void stream_feed(std::string_view bytes, std::string& out) override {
    out_ = &out;
    start();
    reader_.feed(bytes, *this);
  }
  void stream_end(std::string& out) override {
    out_ = &out;
    start();
    if (complete_ || failed_) return;
    if (finish_.empty()) {
      fail("the backend's stream ended before its last event");
      return;
    }
    end();
  }
  void stream_fail(const Error& e, std::string& out) override {
    out_ = &out;
    start();
    fail(e.message);
  }
  bool stream_complete() const override { return complete_; }

  std::optional<StoredResponse> to_store() const override {
    if (!store_ || !complete_) return std::nullopt;
    json::array conversation = history_;
    json::object assistant{{"role", "assistant"}};
    std::string text;
    json::array calls;
    for (const auto& i : items_) {
      if (!i.call) {
        text += i.text;
      } else {
        calls.push_back(
            json::object{{"id", i.call_id},
                         {"type", "function"},
                         {"function", json::object{{"name", i.name}, {"arguments", i.arguments}}}});
      }
    }
    assistant["content"] =
        text.empty() && !calls.empty() ? json::value(nullptr) : json::value(text);
    if (!calls.empty()) assistant["tool_calls"] = std::move(calls);
    conversation.push_back(std::move(assistant));
    return StoredResponse{id_, created_ * 1000, json::serialize(response(finished_status())),
                          json::serialize(conversation)};
  }

 private:
  struct Item {
    bool call = false;
    std::string id;
    std::string text;
    std::string name;
    std::string call_id;
    std::string arguments;
  };

  std::string_view finished_status() const {
    return finish_ == "length" ? "incomplete" : "completed";
  }

  json::object item_json(const Item& i, std::string_view status) const {
    if (i.call)
      return {{"id", i.id},           {"type", "function_call"},
              {"status", status},     {"arguments", i.arguments},
              {"call_id", i.call_id}, {"name", i.name}};
    json::array content;
    if (status == "completed" || !i.text.empty()) content.push_back(text_part(i.text));
    return {{"id", i.id},
            {"type", "message"},
            {"status", status},
            {"role", "assistant"},
            {"content", std::move(content)}};
  }
  static json::object text_part(std::string_view text) {
    return {{"type", "output_text"},
            {"text", text},
            {"annotations", json::array{}},
            {"logprobs", json::array{}}};
  }

  json::object response(std::string_view status) const {
    json::array output;
    for (const auto& i : items_) output.push_back(item_json(i, "completed"));
    json::object r{{"id", id_},
                   {"object", "response"},
                   {"created_at", created_},
                   {"status", status},
                   {"background", false},
                   {"error", nullptr},
                   {"incomplete_details", nullptr},
                   {"instructions", nullptr},
                   {"max_output_tokens", nullptr},
                   {"model", model},
                   {"output", std::move(output)},
                   {"parallel_tool_calls", true},
                   {"previous_response_id", nullptr},
                   {"reasoning", json::object{{"effort", nullptr}, {"summary", nullptr}}},
                   {"store", store_},
                   {"temperature", nullptr},
                   {"text", json::object{{"format", json::object{{"type", "text"}}}}},
                   {"tool_choice", "auto"},
                   {"tools", json::array{}},
                   {"top_p", nullptr},
                   {"truncation", "disabled"},
                   {"usage", nullptr},
                   {"metadata", json::object{}}};
    for (const auto& [key, value] : echo_) r[key] = value;
    if (status == "incomplete")
      r["incomplete_details"] = json::object{{"reason", "max_output_tokens"}};
    if (usage_ && status != "in_progress")
      r["usage"] =
          json::object{{"input_tokens", usage_->prompt_tokens},
                       {"input_tokens_details", json::object{{"cached_tokens", 0}}},
                       {"output_tokens", usage_->completion_tokens},
                       {"output_tokens_details", json::object{{"reasoning_tokens", 0}}},
                       {"total_tokens", usage_->prompt_tokens + usage_->completion_tokens}};
    return r;
  }

  void event(std::string_view type, json::object data) {
    data["type"] = type;
    data["sequence_number"] = sequence_++;
    *out_ += "event: ";
    *out_ += type;
    *out_ += "\ndata: ";
    *out_ += json::serialize(data);
    *out_ += "\n\n";
  }

  void start() {
    if (started_) return;
    started_ = true;
    event("response.created", json::object{{"response", response("in_progress")}});
    event("response.in_progress", json::object{{"response", response("in_progress")}});
  }

  void open_item(Item item) {
    close_item();
    items_.push_back(std::move(item));
    open_ = true;
    const std::size_t index = items_.size() - 1;
    event("response.output_item.added",
          json::object{{"output_index", index}, {"item", item_json(items_.back(), "in_progress")}});
    if (!items_.back().call)
      event("response.content_part.added", json::object{{"item_id", items_.back().id},
                                                        {"output_index", index},
                                                        {"content_index", 0},
                                                        {"part", text_part("")}});
  }

  void close_item() {
    if (!open_) return;
    open_ = false;
    const std::size_t index = items_.size() - 1;
    const Item& i = items_.back();
    if (i.call) {
      event("response.function_call_arguments.done",
            json::object{{"item_id", i.id}, {"output_index", index}, {"arguments", i.arguments}});
    } else {
      event("response.output_text.done", json::object{{"item_id", i.id},
                                                      {"output_index", index},
                                                      {"content_index", 0},
                                                      {"text", i.text},
                                                      {"logprobs", json::array{}}});
      event("response.content_part.done", json::object{{"item_id", i.id},
                                                       {"output_index", index},
                                                       {"content_index", 0},
                                                       {"part", text_part(i.text)}});
    }
    event("response.output_item.done",
          json::object{{"output_index", index}, {"item", item_json(i, "completed")}});
  }

  void on_text(std::string_view text) override {
    if (failed_ || complete_) return;
    if (!open_ || items_.back().call)
      open_item(Item{false, short_id(request_id_, "msg_", items_.size()), {}, {}, {}, {}});
    items_.back().text += text;
    event("response.output_text.delta", json::object{{"item_id", items_.back().id},
                                                     {"output_index", items_.size() - 1},
                                                     {"content_index", 0},
                                                     {"delta", text},
                                                     {"logprobs", json::array{}}});
  }
  void on_tool_start(std::size_t, std::string_view id, std::string_view name) override {
    if (failed_ || complete_) return;
    const std::size_t n = items_.size();
    open_item(Item{true,
                   short_id(request_id_, "fc_", n),
                   {},
                   std::string(name),
                   id.empty() ? short_id(request_id_, "call_", n) : std::string(id),
                   {}});
  }
  void on_tool_arguments(std::size_t, std::string_view piece) override {
    if (failed_ || complete_ || !open_ || !items_.back().call) return;
    items_.back().arguments += piece;
    event(
        "response.function_call_arguments.delta",
        json::object{
            {"item_id", items_.back().id}, {"output_index", items_.size() - 1}, {"delta", piece}});
  }
  void on_finish(std::string_view reason, std::string_view) override { finish_ = reason; }
  void on_usage(const Usage& u) override { usage_ = u; }
  void on_error(std::string_view message) override {
    stream_error_ = message;
    fail(message);
  }
  void on_done() override {
    if (finish_.empty()) finish_ = "stop";
    end();
  }

  void end() {
    if (failed_ || complete_) return;
    close_item();
    for (auto& i : items_)
      if (i.call && i.arguments.empty()) i.arguments = "{}";
    complete_ = true;
    const std::string_view status = finished_status();
    event(status == "completed" ? "response.completed" : "response.incomplete",
          json::object{{"response", response(status)}});
  }
  void fail(std::string_view message) {
    if (failed_ || complete_) return;
    failed_ = true;
    json::object r = response("failed");
    r["error"] = json::object{{"code", "server_error"}, {"message", message}};
    event("response.failed", json::object{{"response", std::move(r)}});
  }

  std::string request_id_;
  std::string id_;
  std::int64_t created_;
  json::object echo_;    // request fields the response repeats
  json::array history_;  // the conversation without the instructions (previous + input)
  bool store_ = true;
  ChatStreamReader reader_;
  std::string* out_ = nullptr;
  std::vector<Item> items_;
  std::string finish_;
  std::uint64_t sequence_ = 0;
  bool started_ = false;
  bool open_ = false;
  bool complete_ = false;
  bool failed_ = false;
};

}  // namespace

Result<std::unique_ptr<FrontCall>> responses_front(const FrontInput& in) {
  auto call = std::make_unique<ResponsesCall>(in);
  if (auto r = take_model(*call, in.body); !r) return r.error();
  boost::system::error_code ec;
  const json::value v = json::parse(in.body, ec);
  if (ec || !v.is_object()) return Error(Errc::BadRequest, "The body is not a JSON object.");
  const auto& o = v.as_object();
  if (const auto* s = o.if_contains("stream"); s && s->is_bool()) call->stream = s->as_bool();
  if (auto r = call->translate(o, in.previous); !r) return r.error();
  return std::unique_ptr<FrontCall>(std::move(call));
}

}  // namespace fleetgate
