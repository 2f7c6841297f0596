#include "frontends/anthropic_front.h"

#include "core/json_escape.h"
#include "frontends/anthropic_request.h"
#include "frontends/chat_form.h"
#include "openai/error_json.h"

#include "frontends/json_access.h"

#include <boost/json.hpp>

namespace fleetgate {

namespace json = boost::json;

namespace {

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
    return input_output_usage(body, "message");  // message_start's, or message_delta's
  }

  // Written as it is read: no JSON object is built for the answer.
  Result<std::string> answer(std::string_view internal_body) override {
    auto a = parse_chat_answer(internal_body);
    if (!a) return a.error();
    usage_ = a->usage;
    std::string out;
    out.reserve(160 + a->text.size() + model.size());
    out += "{\"id\":";
    append_json_string(out, id_);
    out += ",\"type\":\"message\",\"role\":\"assistant\",\"model\":";
    append_json_string(out, model);
    out += ",\"content\":[";
    if (!a->text.empty() || a->tool_calls.empty()) {
      out += "{\"type\":\"text\",\"text\":";
      append_json_string(out, a->text);
      out += '}';
    }
    for (std::size_t n = 0; n < a->tool_calls.size(); ++n) {
      const ToolCall& call = a->tool_calls[n];
      if (out.back() != '[') out += ',';
      out += "{\"type\":\"tool_use\",\"id\":";
      append_json_string(out, tool_id(call.id, n));  // ids of their own when the backend gave none
      out += ",\"name\":";
      append_json_string(out, call.name);
      out += ",\"input\":";
      append_object_text(out, call.arguments);
      out += '}';
    }
    out += "],\"stop_reason\":\"";
    out += stop_reason_of(a->finish_reason, !a->stop_sequence.empty());
    out += "\",\"stop_sequence\":";
    if (a->stop_sequence.empty())
      out += "null";
    else
      append_json_string(out, a->stop_sequence);
    const Usage u = a->usage.value_or(Usage{});
    out += ",\"usage\":{\"input_tokens\":";
    out += std::to_string(u.prompt_tokens);
    out += ",\"output_tokens\":";
    out += std::to_string(u.completion_tokens);
    out += "}}";
    return out;
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
  boost::system::error_code ec;
  JsonScratch scratch;
  const json::value v = scratch.parse(in.body, ec);
  if (ec || !v.is_object()) return Error(Errc::BadRequest, "The body is not a JSON object.");
  const auto& o = v.as_object();
  if (auto r = take_model(*call, o); !r) return r.error();
  if (const auto* s = o.if_contains("stream"); s && s->is_bool()) call->stream = s->as_bool();
  if (count_tokens) {
    // count_tokens takes no max_tokens; the internal form is only routed, never sent.
    json::object copy = o;
    copy["max_tokens"] = 1;
    copy.erase("stream");
    auto internal = anthropic_to_chat(copy, call->dropped);
    if (!internal) return internal.error();
    call->internal = std::move(*internal);
    call->stream = false;
  } else {
    auto internal = anthropic_to_chat(o, call->dropped);
    if (!internal) return internal.error();
    call->internal = std::move(*internal);
  }
  return std::unique_ptr<FrontCall>(std::move(call));
}

}  // namespace fleetgate
