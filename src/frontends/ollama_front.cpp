#include "frontends/ollama_front.h"

#include "core/checked_cast.h"
#include "core/json_escape.h"
#include "core/wall_time.h"
#include "frontends/chat_form.h"
#include "openai/error_json.h"

#include "frontends/json_access.h"

#include <boost/json.hpp>

namespace fleetgate {

namespace json = boost::json;

namespace {

enum class OllamaEndpoint { Chat, Generate, Embed, Embeddings };

// A message's content: the text, or (with Ollama's bare base64 images) OpenAI's parts with
// data URLs.
void append_content_parts(std::string& out, std::string_view text, const json::value* images) {
  if (!images || !images->is_array() || images->as_array().empty()) {
    append_json_string(out, text);
    return;
  }
  out += R"([{"type":"text","text":)";
  append_json_string(out, text);
  out += '}';
  for (const auto& i : images->as_array())
    if (i.is_string()) {
      out += R"(,{"type":"image_url","image_url":{"url":)";
      append_json_string(out, "data:image/png;base64," + std::string(i.as_string()));
      out += "}}";
    }
  out += ']';
}

// {"role":…,"content":…}, with a comma before it when it is not the first.
void open_message(std::string& out, bool& first, std::string_view role) {
  out += first ? "{\"role\":" : ",{\"role\":";
  first = false;
  append_json_string(out, role);
  out += ",\"content\":";
}

// The chat messages, written as they are read; `first` tells whether any came before.
Result<void> add_messages(const json::object& in, std::string& out, bool& first) {
  const auto* messages = in.if_contains("messages");
  if (!messages) return {};  // Ollama takes a chat without messages (it loads the model)
  if (!messages->is_array()) return Error(Errc::BadRequest, "messages must be a list", "messages");
  std::vector<std::pair<std::string, std::string>> calls;  // (id, name) of the last tool calls
  std::size_t next_call = 0;
  for (const auto& m : messages->as_array()) {
    if (!m.is_object()) return Error(Errc::BadRequest, "each message must be an object");
    const auto& msg = m.as_object();
    const std::string_view role = string_at(msg, "role");
    if (role.empty()) return Error(Errc::BadRequest, "a message has no role");
    const std::string_view content = string_at(msg, "content");
    if (role == "tool") {
      // Ollama names the tool; OpenAI wants the call's id: the call of that name, else the next.
      const std::string_view name = string_at(msg, "tool_name");
      std::string id;
      for (const auto& [call_id, call_name] : calls)
        if (call_name == name) id = call_id;
      if (id.empty() && next_call < calls.size()) id = calls[next_call].first;
      ++next_call;
      out += first ? R"({"role":"tool","tool_call_id":)" : R"(,{"role":"tool","tool_call_id":)";
      first = false;
      append_json_string(out, id);
      out += ",\"content\":";
      append_json_string(out, content);
      out += '}';
      continue;
    }
    open_message(out, first, role);
    append_content_parts(out, content, msg.if_contains("images"));
    if (const auto* tc = msg.if_contains("tool_calls"); tc && tc->is_array()) {
      calls.clear();
      next_call = 0;
      for (const auto& c : tc->as_array()) {
        if (!c.is_object()) continue;
        const auto* fn = c.as_object().if_contains("function");
        if (!fn || !fn->is_object()) continue;
        const auto& f = fn->as_object();
        std::string id(string_at(c.as_object(), "id"));
        if (id.empty()) id = "call_" + std::to_string(calls.size());
        const auto* args = f.if_contains("arguments");
        out += calls.empty() ? ",\"tool_calls\":[{\"id\":" : ",{\"id\":";
        calls.emplace_back(id, std::string(string_at(f, "name")));
        append_json_string(out, id);
        out += R"(,"type":"function","function":{"name":)";
        append_json_string(out, string_at(f, "name"));
        out += ",\"arguments\":";
        append_json_string(out, args ? (args->is_string() ? std::string(args->as_string())
                                                          : json::serialize(*args))
                                     : std::string("{}"));
        out += "}}";
      }
      if (!calls.empty()) out += ']';
    }
    out += '}';
  }
  return {};
}

// options and format as chat completion fields.
void add_options(const json::object& in, std::string& out, std::string& dropped) {
  if (const auto* o = in.if_contains("options"); o && o->is_object()) {
    for (const auto& [key, value] : o->as_object()) {
      if (key == "temperature" || key == "top_p" || key == "top_k" || key == "seed" ||
          key == "presence_penalty" || key == "frequency_penalty" || key == "min_p" ||
          key == "stop")
        append_member(out, key, value);
      else if (key == "num_predict" && value.is_number() && value.to_number<double>() > 0)
        append_member(out, "max_tokens", value);
      else if (key != "num_predict")
        add_dropped(dropped, "options." + std::string(key));
    }
  }
  if (const auto* f = in.if_contains("format")) {
    if (f->is_string() && f->as_string() == "json") {
      out += R"(,"response_format":{"type":"json_object"})";
    } else if (f->is_object()) {
      out += R"(,"response_format":{"type":"json_schema","json_schema":{"name":"format")";
      append_member(out, "schema", *f);
      out += "}}";
    }
  }
  for (const char* key : {"keep_alive", "think", "raw", "template", "context", "suffix"})
    if (in.contains(key)) add_dropped(dropped, key);
}

class OllamaCall final : public FrontCall, private ChatStreamSink {
 public:
  OllamaCall(OllamaEndpoint e, std::int64_t now)
      : FrontCall(Dialect::Ollama), endpoint_(e), created_at_(ollama_time(now)) {}

  Result<void> translate(const json::object& in) {
    json::object out{{"model", model}};
    if (endpoint_ == OllamaEndpoint::Embed || endpoint_ == OllamaEndpoint::Embeddings) {
      kind = ApiKind::Embedding;
      const auto* input = in.if_contains(endpoint_ == OllamaEndpoint::Embed ? "input" : "prompt");
      if (!input || !(input->is_string() || input->is_array()))
        return Error(Errc::BadRequest, endpoint_ == OllamaEndpoint::Embed
                                           ? "input must be a string or a list of strings"
                                           : "prompt must be a string");
      out["input"] = *input;
      if (const auto* d = in.if_contains("dimensions"); d && d->is_number()) out["dimensions"] = *d;
      internal = json::serialize(out);
      return {};
    }
    // Chat and generate: written as they are read, no JSON object built.
    std::string body = "{\"model\":";
    append_json_string(body, model);
    body += ",\"messages\":[";
    bool first = true;
    if (endpoint_ == OllamaEndpoint::Generate) {
      const std::string_view system = string_at(in, "system");
      if (!system.empty()) {
        open_message(body, first, "system");
        append_json_string(body, system);
        body += '}';
      }
      open_message(body, first, "user");
      append_content_parts(body, string_at(in, "prompt"), in.if_contains("images"));
      body += '}';
    } else {
      if (auto r = add_messages(in, body, first); !r) return r.error();
      if (first) body += R"({"role":"user","content":""})";
    }
    body += ']';
    if (endpoint_ == OllamaEndpoint::Chat)
      if (const auto* tools = in.if_contains("tools");
          tools && tools->is_array() && !tools->as_array().empty())
        append_member(body, "tools", *tools);  // Ollama's tools are OpenAI's
    add_options(in, body, dropped);
    if (stream) body += R"(,"stream":true,"stream_options":{"include_usage":true})";
    body += '}';
    internal = std::move(body);
    return {};
  }

  std::optional<std::string> native_path(const Deployment& d) const override {
    if (d.provider != Provider::Ollama && d.provider != Provider::OllamaChat) return std::nullopt;
    static constexpr std::string_view kPaths[] = {"/api/chat", "/api/generate", "/api/embed",
                                                  "/api/embeddings"};
    return d.api_base.base_path + std::string(kPaths[static_cast<int>(endpoint_)]);
  }

  std::optional<Usage> native_usage(std::string_view body) const override {
    boost::system::error_code ec;
    JsonScratch scratch;
    const json::value v = scratch.parse(body, ec);
    if (ec || !v.is_object()) return std::nullopt;
    const auto& o = v.as_object();
    if (!o.contains("prompt_eval_count") && !o.contains("eval_count")) return std::nullopt;
    return Usage{count_at(o, "prompt_eval_count"), count_at(o, "eval_count")};
  }

  Result<std::string> answer(std::string_view internal_body) override {
    if (kind == ApiKind::Embedding) return embeddings(internal_body);
    auto a = parse_chat_answer(internal_body);
    if (!a) return a.error();
    usage_ = a->usage;
    std::string out;  // written as it is read: no JSON object is built for the answer
    out.reserve(320 + a->text.size());
    open(out);
    append_content(out, a->text, &a->tool_calls);
    append_final(out, a->finish_reason);
    return out;
  }

  std::string error_body(int status, std::string_view body) const override {
    return ollama_error_json(error_message_of(status, body));
  }

  std::string_view stream_type() const override { return "application/x-ndjson"; }
  void stream_feed(std::string_view bytes, std::string& out) override {
    out_ = &out;
    reader_.feed(bytes, *this);
  }
  void stream_end(std::string& out) override {
    out_ = &out;
    if (!ended_ && !failed_) {
      if (finish_.empty()) {
        fail("the backend's stream ended before its last chunk");
        return;
      }
      end();
    }
  }
  void stream_fail(const Error& e, std::string& out) override {
    out_ = &out;
    fail(e.message);
  }
  bool stream_complete() const override { return ended_; }

 private:
  Result<std::string> embeddings(std::string_view body) {
    boost::system::error_code ec;
    JsonScratch scratch;
    const json::value v = scratch.parse(body, ec);
    if (ec || !v.is_object())
      return Error(Errc::UpstreamProtocol, "the backend's embeddings are not a JSON object");
    const auto& o = v.as_object();
    json::array vectors;
    if (const auto* data = o.if_contains("data"); data && data->is_array())
      for (const auto& d : data->as_array())
        if (d.is_object())
          if (const auto* e = d.as_object().if_contains("embedding")) vectors.push_back(*e);
    if (const auto* u = o.if_contains("usage"); u && u->is_object())
      usage_ = Usage{count_at(u->as_object(), "prompt_tokens"), 0};
    if (endpoint_ == OllamaEndpoint::Embeddings)
      return json::serialize(json::object{
          {"embedding", vectors.empty() ? json::value(json::array{}) : vectors.front()}});
    return json::serialize(json::object{{"model", model},
                                        {"embeddings", std::move(vectors)},
                                        {"total_duration", 0},
                                        {"load_duration", 0},
                                        {"prompt_eval_count", usage_ ? usage_->prompt_tokens : 0}});
  }

  // {"model":…,"created_at":…, — how every answer and line begins.
  void open(std::string& out) const {
    out += "{\"model\":";
    append_json_string(out, model);
    out += ",\"created_at\":";
    append_json_string(out, created_at_);
    out += ',';
  }
  // "response":… (generate) or "message":{…} (chat, with its tool calls).
  void append_content(std::string& out, std::string_view text,
                      const std::vector<ToolCall>* calls = nullptr) const {
    if (endpoint_ == OllamaEndpoint::Generate) {
      out += "\"response\":";
      append_json_string(out, text);
      return;
    }
    out += "\"message\":{\"role\":\"assistant\",\"content\":";
    append_json_string(out, text);
    if (calls && !calls->empty()) {
      out += ",\"tool_calls\":[";
      for (std::size_t i = 0; i < calls->size(); ++i) {
        const ToolCall& c = (*calls)[i];
        if (i > 0) out += ',';
        out += "{\"id\":";
        append_json_string(out, c.id);
        out += ",\"function\":{\"index\":";
        out += std::to_string(i);
        out += ",\"name\":";
        append_json_string(out, c.name);
        out += ",\"arguments\":";
        append_object_text(out, c.arguments);
        out += "}}";
      }
      out += ']';
    }
    out += '}';
  }
  // The last line's fields, and the end of its object.
  void append_final(std::string& out, std::string_view finish) const {
    const Usage u = usage_.value_or(Usage{});
    out += finish == "length" ? ",\"done_reason\":\"length\"" : ",\"done_reason\":\"stop\"";
    out += ",\"done\":true,\"total_duration\":0,\"load_duration\":0,\"prompt_eval_count\":";
    out += std::to_string(u.prompt_tokens);
    out += ",\"prompt_eval_duration\":0,\"eval_count\":";
    out += std::to_string(u.completion_tokens);
    out += ",\"eval_duration\":0}";
  }

  void on_text(std::string_view text) override {
    if (failed_ || ended_) return;
    open(*out_);
    append_content(*out_, text);
    *out_ += ",\"done\":false}\n";
  }
  void on_tool_start(std::size_t index, std::string_view id, std::string_view name) override {
    if (index >= tools_.size()) tools_.resize(index + 1);
    tools_[index].id = id;
    tools_[index].name = name;
  }
  void on_tool_arguments(std::size_t index, std::string_view piece) override {
    if (index < tools_.size()) tools_[index].arguments += piece;
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
    if (failed_ || ended_) return;
    if (!tools_.empty() && endpoint_ == OllamaEndpoint::Chat) {  // Ollama sends calls whole
      open(*out_);
      append_content(*out_, "", &tools_);
      *out_ += ",\"done\":false}\n";
    }
    open(*out_);
    append_content(*out_, "");
    append_final(*out_, finish_);
    *out_ += '\n';
    ended_ = true;
  }
  void fail(std::string_view message) {
    if (failed_ || ended_) return;
    failed_ = true;
    *out_ += ollama_error_json(message);
    *out_ += '\n';
  }

  OllamaEndpoint endpoint_;
  std::string created_at_;
  ChatStreamReader reader_;
  std::string* out_ = nullptr;
  std::vector<ToolCall> tools_;
  std::string finish_;
  bool ended_ = false;
  bool failed_ = false;
};

}  // namespace

Result<std::unique_ptr<FrontCall>> ollama_front(const FrontInput& in) {
  OllamaEndpoint e = OllamaEndpoint::Chat;
  if (in.path == "/api/generate")
    e = OllamaEndpoint::Generate;
  else if (in.path == "/api/embed")
    e = OllamaEndpoint::Embed;
  else if (in.path == "/api/embeddings")
    e = OllamaEndpoint::Embeddings;
  auto call = std::make_unique<OllamaCall>(e, in.now);
  boost::system::error_code ec;
  JsonScratch scratch;
  const json::value v = scratch.parse(in.body, ec);
  if (ec || !v.is_object()) return Error(Errc::BadRequest, "invalid JSON body");
  const auto& o = v.as_object();
  if (auto r = take_model(*call, o); !r) return r.error();
  call->stream =
      e == OllamaEndpoint::Chat || e == OllamaEndpoint::Generate;  // Ollama streams by default
  if (const auto* s = o.if_contains("stream"); s && s->is_bool()) call->stream = s->as_bool();
  if (e == OllamaEndpoint::Embed || e == OllamaEndpoint::Embeddings) call->stream = false;
  if (auto r = call->translate(o); !r) return r.error();
  return std::unique_ptr<FrontCall>(std::move(call));
}

}  // namespace fleetgate
