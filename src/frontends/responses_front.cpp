#include "frontends/responses_front.h"

#include "frontends/responses_request.h"

#include "core/checked_cast.h"
#include "core/json_escape.h"
#include "frontends/chat_form.h"
#include "openai/error_json.h"

#include "frontends/json_access.h"

#include <boost/json.hpp>

#include <algorithm>
#include <iterator>

namespace fleetgate {

namespace json = boost::json;

namespace {

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
    auto r = responses_to_chat(in, model, stream, previous, dropped);
    if (!r) return r.error();
    internal = std::move(r->internal);
    echo_ = std::move(r->echo);
    history_ = std::move(r->history);
    store_ = r->store;
    return {};
  }

  std::optional<std::string> native_path(const Deployment& d) const override {
    if (!d.native_responses) return std::nullopt;
    return d.api_base.base_path + "/responses";
  }
  std::optional<Usage> native_usage(std::string_view body) const override {
    return input_output_usage(body, "response");  // response.completed's
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
    return response(finished_status());
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
    std::string conversation = "[" + history_;
    if (!history_.empty()) conversation += ',';
    conversation += json::serialize(assistant);
    conversation += ']';
    return StoredResponse{id_, created_ * 1000, response(finished_status()),
                          std::move(conversation)};
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

  // The answer is written as it is read: no JSON object is built for it, nor for an event.
  static void append_text_part(std::string& out, std::string_view text) {
    out += R"({"type":"output_text","text":)";
    append_json_string(out, text);
    out += R"(,"annotations":[],"logprobs":[]})";
  }
  void append_item(std::string& out, const Item& i, std::string_view status) const {
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

  // A field of the response: what the request said (echo_), else `fallback` (JSON text).
  void append_field(std::string& out, std::string_view key, std::string_view fallback) const {
    out += ",\"";
    out += key;
    out += "\":";
    for (const auto& e : echo_)
      if (e.key == key) {
        out += e.json;
        return;
      }
    out += fallback;
  }

  // ,"usage":{…} once the answer is in, else null.
  void append_usage(std::string& r, std::string_view status) const {
    r += ",\"usage\":";
    if (usage_ && status != "in_progress") {
      r += "{\"input_tokens\":";
      r += std::to_string(usage_->prompt_tokens);
      r += R"(,"input_tokens_details":{"cached_tokens":0},"output_tokens":)";
      r += std::to_string(usage_->completion_tokens);
      r += R"(,"output_tokens_details":{"reasoning_tokens":0},"total_tokens":)";
      r += std::to_string(usage_->prompt_tokens + usage_->completion_tokens);
      r += '}';
    } else {
      r += "null";
    }
  }

  std::string response(std::string_view status, std::string_view error = {}) const {
    std::string r;
    r.reserve(800);
    r += "{\"id\":";
    append_json_string(r, id_);
    r += ",\"object\":\"response\",\"created_at\":";
    r += std::to_string(created_);
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
    append_field(r, "instructions", "null");
    append_field(r, "max_output_tokens", "null");
    r += ",\"model\":";
    append_json_string(r, model);
    r += ",\"output\":[";
    for (std::size_t n = 0; n < items_.size(); ++n) {
      if (n > 0) r += ',';
      append_item(r, items_[n], "completed");
    }
    r += ']';
    append_field(r, "parallel_tool_calls", "true");
    append_field(r, "previous_response_id", "null");
    append_field(r, "reasoning", R"({"effort":null,"summary":null})");
    r += store_ ? ",\"store\":true" : ",\"store\":false";
    append_field(r, "temperature", "null");
    append_field(r, "text", R"({"format":{"type":"text"}})");
    append_field(r, "tool_choice", "\"auto\"");
    append_field(r, "tools", "[]");
    append_field(r, "top_p", "null");
    append_field(r, "truncation", "\"disabled\"");
    append_usage(r, status);
    append_field(r, "metadata", "{}");
    r += '}';
    return r;
  }

  // event: <type>, data: {<fields>,"type":<type>,"sequence_number":n}; `fields` is the JSON
  // text of the members before them.
  void event(std::string_view type, std::string_view fields) {
    std::string& out = *out_;
    out += "event: ";
    out += type;
    out += "\ndata: {";
    out += fields;
    out += ",\"type\":\"";
    out += type;
    out += "\",\"sequence_number\":";
    out += std::to_string(sequence_++);
    out += "}\n\n";
  }
  // The fields that name where an item's event lies: "item_id", "output_index" (and
  // "content_index" for a message's text).
  std::string item_place(const Item& i, std::size_t index) const {
    std::string f = "\"item_id\":";
    append_json_string(f, i.id);
    f += ",\"output_index\":";
    f += std::to_string(index);
    if (!i.call) f += ",\"content_index\":0";
    return f;
  }

  void start() {
    if (started_) return;
    started_ = true;
    const std::string fields = "\"response\":" + response("in_progress");
    event("response.created", fields);
    event("response.in_progress", fields);
  }

  void open_item(Item item) {
    close_item();
    items_.push_back(std::move(item));
    open_ = true;
    const std::size_t index = items_.size() - 1;
    std::string fields = "\"output_index\":" + std::to_string(index) + ",\"item\":";
    append_item(fields, items_.back(), "in_progress");
    event("response.output_item.added", fields);
    if (!items_.back().call) {
      fields = item_place(items_.back(), index) + ",\"part\":";
      append_text_part(fields, "");
      event("response.content_part.added", fields);
    }
  }

  void close_item() {
    if (!open_) return;
    open_ = false;
    const std::size_t index = items_.size() - 1;
    const Item& i = items_.back();
    std::string fields = item_place(i, index);
    if (i.call) {
      fields += ",\"arguments\":";
      append_json_string(fields, i.arguments);
      event("response.function_call_arguments.done", fields);
    } else {
      fields += ",\"text\":";
      append_json_string(fields, i.text);
      fields += ",\"logprobs\":[]";
      event("response.output_text.done", fields);
      fields = item_place(i, index) + ",\"part\":";
      append_text_part(fields, i.text);
      event("response.content_part.done", fields);
    }
    fields = "\"output_index\":" + std::to_string(index) + ",\"item\":";
    append_item(fields, i, "completed");
    event("response.output_item.done", fields);
  }

  void on_text(std::string_view text) override {
    if (failed_ || complete_) return;
    if (!open_ || items_.back().call)
      open_item(Item{false, short_id(request_id_, "msg_", items_.size()), {}, {}, {}, {}});
    items_.back().text += text;
    std::string& f = scratch_;
    f = item_place(items_.back(), items_.size() - 1);
    f += ",\"delta\":";
    append_json_string(f, text);
    f += ",\"logprobs\":[]";
    event("response.output_text.delta", f);
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
    std::string& f = scratch_;
    f = item_place(items_.back(), items_.size() - 1);
    f += ",\"delta\":";
    append_json_string(f, piece);
    event("response.function_call_arguments.delta", f);
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
          "\"response\":" + response(status));
  }
  void fail(std::string_view message) {
    if (failed_ || complete_) return;
    failed_ = true;
    event("response.failed", "\"response\":" + response("failed", message));
  }

  std::string request_id_;
  std::string id_;
  std::int64_t created_;
  std::vector<Echoed> echo_;  // request fields the response repeats
  std::string history_;       // the conversation without the instructions (ResponsesRequest)
  bool store_ = true;
  ChatStreamReader reader_;
  std::string* out_ = nullptr;
  std::vector<Item> items_;
  std::string finish_;
  std::uint64_t sequence_ = 0;
  std::string scratch_;  // a delta event's fields, its capacity kept across tokens
  bool started_ = false;
  bool open_ = false;
  bool complete_ = false;
  bool failed_ = false;
};

}  // namespace

Result<std::unique_ptr<FrontCall>> responses_front(const FrontInput& in) {
  auto call = std::make_unique<ResponsesCall>(in);
  boost::system::error_code ec;
  JsonScratch scratch;
  const json::value v = scratch.parse(in.body, ec);
  if (ec || !v.is_object()) return Error(Errc::BadRequest, "The body is not a JSON object.");
  const auto& o = v.as_object();
  if (auto r = take_model(*call, o); !r) return r.error();
  if (const auto* s = o.if_contains("stream"); s && s->is_bool()) call->stream = s->as_bool();
  if (auto r = call->translate(o, in.previous); !r) return r.error();
  return std::unique_ptr<FrontCall>(std::move(call));
}

}  // namespace fleetgate
