#include "frontends/responses_front.h"

#include "frontends/responses_object.h"
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
    return StoredResponse{id_, created_ * 1000, response(finished_status()),
                          conversation_with_answer(history_, items_)};
  }

 private:
  using Item = ResponseItem;

  std::string_view finished_status() const {
    return finish_ == "length" ? "incomplete" : "completed";
  }

  std::string response(std::string_view status, std::string_view error = {}) const {
    return response_object(ResponseState{id_, created_, model, items_, echo_, store_, usage_},
                           status, error);
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
