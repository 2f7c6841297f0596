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

constexpr std::string_view kUsageOption = "\"stream_options\":{\"include_usage\":true},";

// One event of a stream whose usage the gateway asked for: as the backend sent it, but without
// the usage-only chunk and the "usage":null the option adds to every other chunk.
void strip_usage(const SseEvent& e, std::string& out) {
  std::string_view data = e.data;
  if (contains(data, "\"choices\":[]") && contains(data, "\"usage\":{")) return;
  if (!e.event.empty()) {
    out += "event: ";
    out += e.event;
    out += '\n';
  }
  out += "data: ";
  constexpr std::string_view kNull = ",\"usage\":null";
  for (auto at = data.find(kNull); at != std::string_view::npos; at = data.find(kNull)) {
    out += data.substr(0, at);
    data.remove_prefix(at + kNull.size());
  }
  out += data;
  out += "\n\n";
}

// strip_usage on whole events in place: `in` holds only complete LF-framed events.
void strip_usage_raw(std::string_view in, std::string& out) {
  constexpr std::string_view kNull = ",\"usage\":null";
  while (!in.empty()) {
    const auto end = in.find("\n\n");
    std::string_view event = in.substr(0, end == std::string_view::npos ? in.size() : end + 2);
    in.remove_prefix(event.size());
    if (contains(event, "\"choices\":[]") && contains(event, "\"usage\":{")) continue;
    for (auto at = event.find(kNull); at != std::string_view::npos; at = event.find(kNull)) {
      out += event.substr(0, at);
      event.remove_prefix(at + kNull.size());
    }
    out += event;
  }
}

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
    const bool inject = c.fields.stream && !c.fields.has_stream_options &&
                        (c.kind == ApiKind::Chat || c.kind == ApiKind::Completion) &&
                        c.refuses_usage && !c.refuses_usage->load(std::memory_order_relaxed) &&
                        span.offset > 0 && body.front() == '{';
    // An upload may still be arriving: its length is the client's Content-Length.
    fmt::format_to(std::back_inserter(head), "{}",
                   body.size() + c.conn.body_left() - span.size + model.size() +
                       (inject ? kUsageOption.size() : 0));
    head += "\r\nx-request-id: ";
    head += c.conn.request_id();
    head += c.fields.stream ? "\r\nAccept: text/event-stream\r\n\r\n" : "\r\n\r\n";
    // Only the model value changes; every other byte of the client's body goes out untouched
    // (and, on a stream, the usage option goes in after the opening brace).
    if (inject) {
      c.usage_injected = true;
      c.parts = {asio::buffer(head),         asio::buffer(body.substr(0, 1)),
                 asio::buffer(kUsageOption), asio::buffer(body.substr(1, span.offset - 1)),
                 asio::buffer(model),        asio::buffer(body.substr(span.offset + span.size))};
      c.part_count = 6;
      return std::nullopt;
    }
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
        [&](std::string_view in, std::string& out) {
          if (c.usage_injected) {
            // Most pieces hold no usage: as they came. Whole events with usage: the same bytes
            // less the usage-only event and the "usage":null fields.
            const bool carried = events.carrying();
            if (!carried && !contains(in, "\"usage\"")) {
              events.feed(in, [&](const SseEvent& e) {
                if (!failed && contains(e.data, "\"error\""))
                  if (auto message = stream_error_message(e.data)) {
                    failed = true;
                    c.log.error = c.deployment.id + " sent an error in its stream: " + *message;
                  }
              });
              return in;
            }
            if (!carried && in.ends_with("\n\n") && !contains(in, "\r")) {
              events.feed(in, [&](const SseEvent& e) {
                if (contains(e.data, "\"usage\":{"))
                  if (auto u = scan_usage(e.data)) c.log.usage = u;
              });
              strip_usage_raw(in, out);
              return std::string_view(out);
            }
            events.feed(in, [&](const SseEvent& e) {
              if (contains(e.data, "\"usage\":{"))
                if (auto u = scan_usage(e.data)) c.log.usage = u;
              if (!failed && contains(e.data, "\"error\""))
                if (auto message = stream_error_message(e.data)) {
                  failed = true;
                  c.log.error = c.deployment.id + " sent an error in its stream: " + *message;
                }
              strip_usage(e, out);
            });
            return std::string_view(out);
          }
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
    return answer_as_sent(c, scan_usage(c.exchange.body()));
  }

  BackendError error(const Call& c, int) const override { return error_as_sent(c); }
};

}  // namespace

const ProviderAdapter& openai_adapter() {
  static const OpenAiProvider adapter;
  return adapter;
}

}  // namespace fleetgate
