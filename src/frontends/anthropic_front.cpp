#include "frontends/anthropic_front.h"

#include "core/checked_cast.h"
#include "core/json_escape.h"
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

Result<std::string> to_internal(const json::object& in, std::string& dropped) {
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

std::string_view stop_reason_of(std::string_view finish, bool stopped_by_sequence) {
  if (finish == "length") return "max_tokens";
  if (finish == "tool_calls" || finish == "function_call") return "tool_use";
  if (finish == "content_filter") return "refusal";
  return stopped_by_sequence ? "stop_sequence" : "end_turn";
}

void append_event(std::string& out, std::string_view name, std::string_view data) {
  out += "event: ";
  out += name;
  out += "\ndata: ";
  out += data;
  out += "\n\n";
}

class AnthropicCall final : public FrontCall, private ChatStreamSink {
 public:
  AnthropicCall(const FrontInput& in, bool count_tokens)
      : FrontCall(Dialect::Anthropic),
        id_("msg_" + std::string(in.request_id)),
        version_(in.anthropic_version),
        beta_(in.anthropic_beta),
        count_tokens_(count_tokens) {}

  std::optional<std::string> native_path(const Deployment& d) const override {
    if (d.provider != Provider::Anthropic && !d.native_messages) return std::nullopt;
    // Anthropic's base has no /v1; an OpenAI-compatible server's does (LiteLLM strips it).
    std::string_view base = d.api_base.base_path;
    if (base.ends_with("/v1")) base.remove_suffix(3);
    std::string path = std::string(base) + "/v1/messages";
    if (count_tokens_) path += "/count_tokens";
    return path;
  }
  std::string native_headers() const override {
    std::string h;
    if (!beta_.empty()) h += "anthropic-beta: " + beta_ + "\r\n";
    return h;
  }
  const std::string& version() const { return version_; }

  std::optional<Usage> native_usage(std::string_view body) const override {
    boost::system::error_code ec;
    const json::value v = json::parse(body, ec);
    if (ec || !v.is_object()) return std::nullopt;
    const json::value* u = v.as_object().if_contains("usage");
    if (const auto* m = v.as_object().if_contains("message"); !u && m && m->is_object())
      u = m->as_object().if_contains("usage");  // message_start
    if (!u || !u->is_object()) return std::nullopt;
    Usage usage;
    for (const auto& [key, value] : u->as_object()) {
      if (!value.is_number()) continue;
      const auto n =
          clamp_to_integer<std::uint64_t>(value.to_number<double>(), 0, std::uint64_t{1} << 48);
      if (key == "input_tokens") usage.prompt_tokens = n;
      if (key == "output_tokens") usage.completion_tokens = n;
    }
    return usage;
  }

  Result<std::string> answer(std::string_view internal_body) override {
    auto a = parse_chat_answer(internal_body);
    if (!a) return a.error();
    usage_ = a->usage;
    json::array content;
    if (!a->text.empty() || a->tool_calls.empty())
      content.push_back(json::object{{"type", "text"}, {"text", a->text}});
    for (const auto& call : a->tool_calls) {
      boost::system::error_code ec;
      json::value input = json::parse(call.arguments, ec);
      if (ec || !input.is_object()) input = json::object{};
      content.push_back(json::object{{"type", "tool_use"},
                                     {"id", tool_id(call.id, 0)},
                                     {"name", call.name},
                                     {"input", std::move(input)}});
    }
    const Usage u = a->usage.value_or(Usage{});
    json::object out{{"id", id_},
                     {"type", "message"},
                     {"role", "assistant"},
                     {"model", model},
                     {"content", std::move(content)},
                     {"stop_reason", stop_reason_of(a->finish_reason, !a->stop_sequence.empty())},
                     {"stop_sequence", a->stop_sequence.empty() ? json::value(nullptr)
                                                                : json::value(a->stop_sequence)},
                     {"usage", json::object{{"input_tokens", u.prompt_tokens},
                                            {"output_tokens", u.completion_tokens}}}};
    return json::serialize(out);
  }

  std::string error_body(int status, std::string_view body) const override {
    return anthropic_error_json(anthropic_error_type(error_status(status)),
                                error_message_of(status, body));
  }
  int error_status(int status) const override { return status == 503 ? 529 : status; }

  void stream_feed(std::string_view bytes, std::string& out) override {
    out_ = &out;
    start();
    reader_.feed(bytes, *this);
  }
  void stream_end(std::string& out) override {
    out_ = &out;
    start();
    if (!ended_ && !failed_) {
      if (finish_.empty()) {
        fail("the backend's stream ended before its last event", "api_error");
        return;
      }
      end_message();
    }
  }
  void stream_fail(const Error& e, std::string& out) override {
    out_ = &out;
    start();
    fail(e.message, anthropic_error_type(render_error(e).status));
  }
  bool stream_complete() const override { return ended_; }

 private:
  std::string tool_id(std::string_view id, std::size_t index) const {
    if (!id.empty()) return std::string(id);
    return "toolu_" + id_.substr(4) + "_" + std::to_string(index);
  }

  void start() {
    if (started_) return;
    started_ = true;
    std::string data = "{\"type\":\"message_start\",\"message\":{\"id\":";
    append_json_string(data, id_);
    data += ",\"type\":\"message\",\"role\":\"assistant\",\"model\":";
    append_json_string(data, model);
    data +=
        ",\"content\":[],\"stop_reason\":null,\"stop_sequence\":null,\"usage\":{"
        "\"input_tokens\":0,\"output_tokens\":0}}}";
    append_event(*out_, "message_start", data);
    append_event(*out_, "ping", "{\"type\":\"ping\"}");
  }

  void close_block() {
    if (!open_) return;
    append_event(*out_, "content_block_stop",
                 "{\"type\":\"content_block_stop\",\"index\":" + std::to_string(block_) + "}");
    open_ = false;
    ++block_;
  }
  void open_block(std::string_view block_json) {
    close_block();
    std::string data = "{\"type\":\"content_block_start\",\"index\":" + std::to_string(block_) +
                       ",\"content_block\":";
    data += block_json;
    data += '}';
    append_event(*out_, "content_block_start", data);
    open_ = true;
  }
  void delta(std::string_view type, std::string_view field, std::string_view text) {
    std::string data = "{\"type\":\"content_block_delta\",\"index\":" + std::to_string(block_) +
                       ",\"delta\":{\"type\":\"";
    data += type;
    data += "\",\"";
    data += field;
    data += "\":";
    append_json_string(data, text);
    data += "}}";
    append_event(*out_, "content_block_delta", data);
  }

  void on_text(std::string_view text) override {
    if (failed_ || ended_) return;
    if (!open_ || tool_open_) {
      open_block(R"({"type":"text","text":""})");
      tool_open_ = false;
    }
    delta("text_delta", "text", text);
  }
  void on_tool_start(std::size_t index, std::string_view id, std::string_view name) override {
    if (failed_ || ended_) return;
    std::string block = "{\"type\":\"tool_use\",\"id\":";
    append_json_string(block, tool_id(id, index));
    block += ",\"name\":";
    append_json_string(block, name);
    block += ",\"input\":{}}";
    open_block(block);
    tool_open_ = true;
    tool_index_ = index;
  }
  void on_tool_arguments(std::size_t index, std::string_view piece) override {
    if (failed_ || ended_ || !tool_open_ || index != tool_index_) return;
    delta("input_json_delta", "partial_json", piece);
  }
  void on_finish(std::string_view reason, std::string_view stop_sequence) override {
    finish_ = reason;
    stop_sequence_ = stop_sequence;
  }
  void on_usage(const Usage& u) override { usage_ = u; }
  void on_error(std::string_view message) override {
    if (failed_ || ended_) return;
    stream_error_ = message;
    fail(message, "api_error");
  }
  void on_done() override {
    if (failed_ || ended_) return;
    if (finish_.empty()) finish_ = "stop";
    end_message();
  }

  void end_message() {
    close_block();
    const Usage u = usage_.value_or(Usage{});
    std::string data = "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"";
    data += stop_reason_of(finish_, !stop_sequence_.empty());
    data += "\",\"stop_sequence\":";
    if (stop_sequence_.empty())
      data += "null";
    else
      append_json_string(data, stop_sequence_);
    data += "},\"usage\":{\"input_tokens\":" + std::to_string(u.prompt_tokens) +
            ",\"output_tokens\":" + std::to_string(u.completion_tokens) + "}}";
    append_event(*out_, "message_delta", data);
    append_event(*out_, "message_stop", "{\"type\":\"message_stop\"}");
    ended_ = true;
  }
  void fail(std::string_view message, std::string_view type) {
    if (failed_ || ended_) return;
    failed_ = true;
    append_event(*out_, "error", anthropic_error_json(type, message));
  }

  std::string id_;
  std::string version_;
  std::string beta_;
  bool count_tokens_;
  ChatStreamReader reader_;
  std::string* out_ = nullptr;
  std::string finish_;
  std::string stop_sequence_;
  std::size_t block_ = 0;  // the index of the open block, or of the next
  std::size_t tool_index_ = 0;
  bool started_ = false;
  bool open_ = false;
  bool tool_open_ = false;
  bool ended_ = false;
  bool failed_ = false;
};

}  // namespace

Result<std::unique_ptr<FrontCall>> anthropic_front(const FrontInput& in) {
  const bool count_tokens = in.path.ends_with("/count_tokens");
  auto call = std::make_unique<AnthropicCall>(in, count_tokens);
  if (auto r = take_model(*call, in.body); !r) return r.error();
  boost::system::error_code ec;
  const json::value v = json::parse(in.body, ec);
  if (ec || !v.is_object()) return Error(Errc::BadRequest, "The body is not a JSON object.");
  const auto& o = v.as_object();
  if (const auto* s = o.if_contains("stream"); s && s->is_bool()) call->stream = s->as_bool();
  if (count_tokens) {
    // count_tokens takes no max_tokens; the internal form is only routed, never sent.
    json::object copy = o;
    copy["max_tokens"] = 1;
    copy.erase("stream");
    auto internal = to_internal(copy, call->dropped);
    if (!internal) return internal.error();
    call->internal = std::move(*internal);
    call->stream = false;
  } else {
    auto internal = to_internal(o, call->dropped);
    if (!internal) return internal.error();
    call->internal = std::move(*internal);
  }
  call->original = std::string(in.body);
  return std::unique_ptr<FrontCall>(std::move(call));
}

Result<std::uint64_t> estimate_input_tokens(std::string_view body) {
  boost::system::error_code ec;
  const json::value v = json::parse(body, ec);
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
