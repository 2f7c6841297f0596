#include "frontends/responses_front.h"

#include "frontends/responses_request.h"

#include "core/checked_cast.h"
#include "frontends/chat_form.h"
#include "openai/error_json.h"

#include "frontends/json_access.h"

#include <boost/json.hpp>

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
