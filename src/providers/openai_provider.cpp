// OpenAI-compatible backends (openai/, hosted_vllm/, llama.cpp, vLLM, LiteLLM): the client's
// body goes out with only its model value replaced, streams pass through as they come.
#include "core/text_forms.h"
#include "openai/backend_errors.h"
#include "openai/sse.h"
#include "openai/usage.h"
#include "providers/provider.h"
#include "providers/stream_relay.h"

#include <fmt/format.h>

#include <iterator>

namespace fleetgate {

namespace {

class OpenAiProvider final : public ProviderAdapter {
 public:
  std::optional<Error> build_request(Call& c) const override {
    const Url& url = c.deployment.api_base;  // base_path is the deployment's, not the host's
    // A form field's value is the bare name; a JSON body's is a string literal.
    const std::string_view model = is_upload(c.kind)         ? std::string_view(c.model())
                                   : c.upstream_json.empty() ? c.model_json
                                                             : c.upstream_json;
    const Span span = *c.fields.model;
    const std::string_view body = c.req.body;
    std::string& head = c.exchange.head();
    head += "POST ";
    head += url.base_path;
    head += endpoint_path(c.kind);
    head += " HTTP/1.1\r\n";
    head += c.fixed_headers;
    head += "Content-Type: ";
    head += is_upload(c.kind) ? std::string_view(c.req.content_type) : "application/json";
    head += "\r\nContent-Length: ";
    fmt::format_to(std::back_inserter(head), "{}", body.size() - span.size + model.size());
    head += "\r\nx-request-id: ";
    head += c.conn.request_id();
    head += c.fields.stream ? "\r\nAccept: text/event-stream\r\n\r\n" : "\r\n\r\n";
    // Only the model value changes; every other byte of the client's body goes out untouched.
    c.parts = {asio::buffer(head), asio::buffer(body.substr(0, span.offset)), asio::buffer(model),
               asio::buffer(body.substr(span.offset + span.size))};
    c.part_count = 4;
    return std::nullopt;
  }

  bool streams(const Call& c) const override {
    return is_binary_answer(c.kind) || is_event_stream(c.exchange.content_type());
  }

  asio::awaitable<bool> stream(Call& c) const override {
    if (is_binary_answer(c.kind)) {  // audio: the backend's bytes as they come
      c.stream_type = c.exchange.content_type();
      if (c.stream_type.empty()) c.stream_type = "application/octet-stream";
      co_return co_await relay_stream(
          c, [](std::string_view in, std::string&) { return in; }, [](std::string&) {});
    }
    SseDecoder events(c.exchange.scratch(0), c.exchange.scratch(1), c.exchange.scratch(2));
    bool failed = false;  // the backend sent an error event after its 200 (llama.cpp, vLLM do)
    const bool finished = co_await relay_stream(
        c,
        [&](std::string_view in, std::string&) {
          // Usage and errors are rare: one look at the piece for each, and at its events only
          // for what the piece holds. An event begun in an earlier piece is looked at whatever
          // this piece holds.
          const bool carried = events.carrying();
          const bool usage_here = carried || contains(in, "\"usage\"");
          const bool error_here = !failed && (carried || contains(in, "\"error\""));
          if (!usage_here && !error_here) {
            events.feed(in, [](const SseEvent&) {});
            return in;
          }
          events.feed(in, [&](const SseEvent& e) {
            if (usage_here && contains(e.data, "\"usage\"")) {
              if (auto u = scan_usage(e.data)) c.log.usage = u;
            }
            if (error_here && !failed && contains(e.data, "\"error\"")) {
              if (auto message = stream_error_message(e.data)) {
                failed = true;
                c.log.error = c.deployment.id + " sent an error in its stream: " + *message;
              }
            }
          });
          return in;
        },
        [](std::string&) {});
    co_return finished && !failed;
  }

  Result<WholeAnswer> whole(const Call& c) const override {
    WholeAnswer a;
    a.passthrough = c.exchange.body();
    a.usage = scan_usage(a.passthrough);
    const std::string_view ct = c.exchange.content_type();
    if (!ct.empty()) a.content_type = ct;
    return a;
  }

  BackendError error(const Call& c, int) const override {
    BackendError e{c.exchange.body(), std::string(c.exchange.content_type())};
    if (e.content_type.empty()) e.content_type = "application/json";
    return e;
  }
};

}  // namespace

const ProviderAdapter& openai_adapter() {
  static const OpenAiProvider adapter;
  return adapter;
}

}  // namespace fleetgate
