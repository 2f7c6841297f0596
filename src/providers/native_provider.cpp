// A deployment that speaks the client's own dialect (an Anthropic client and an anthropic/
// deployment, an Ollama client and an ollama/ one, Responses and a backend that serves it):
// the client's body goes out with only its model value replaced, and the answer, stream or
// error comes back as the backend sent it; only the usage is read on the way.
#include "frontends/front_call.h"
#include "openai/ndjson.h"
#include "openai/sse.h"
#include "providers/provider.h"
#include "providers/stream_relay.h"

#include <fmt/format.h>

#include <algorithm>
#include <iterator>

namespace fleetgate {

namespace {

void merge(std::optional<Usage>& into, const std::optional<Usage>& u) {
  if (!u) return;
  if (!into) into = Usage{};
  into->prompt_tokens = std::max(into->prompt_tokens, u->prompt_tokens);
  into->completion_tokens = std::max(into->completion_tokens, u->completion_tokens);
}

bool has_usage(std::string_view s) {
  return s.find("\"usage\"") != std::string_view::npos ||
         s.find("\"eval_count\"") != std::string_view::npos;
}

class NativeProvider final : public ProviderAdapter {
 public:
  std::optional<Error> build_request(Call& c) const override {
    const FrontCall& front = *c.front;
    const auto path = front.native_path(c.deployment);
    const auto model_span = front.original_model();
    if (!path || !model_span) return Error(Errc::Internal, "no native path for this deployment");
    const std::string_view model = c.upstream_json.empty() ? c.model_json : c.upstream_json;
    const Span span = *model_span;
    const std::string_view body = front.original;
    std::string& head = c.exchange.head();
    head += "POST ";
    head += *path;
    head += " HTTP/1.1\r\n";
    std::string_view fixed = c.fixed_headers;
    // The client's anthropic-version wins over the one the deployment sends by default.
    constexpr std::string_view kVersion = "anthropic-version: 2023-06-01\r\n";
    if (!c.req.anthropic_version.empty()) {
      if (const auto at = fixed.find(kVersion); at != std::string_view::npos) {
        head += fixed.substr(0, at);
        fixed.remove_prefix(at + kVersion.size());
      }
      head += "anthropic-version: ";
      head += c.req.anthropic_version;
      head += "\r\n";
    }
    head += fixed;
    head += front.native_headers();
    head += "Content-Type: application/json\r\nContent-Length: ";
    fmt::format_to(std::back_inserter(head), "{}", body.size() - span.size + model.size());
    head += "\r\nx-request-id: ";
    head += c.conn.request_id();
    head += "\r\n\r\n";
    c.parts = {asio::buffer(head), asio::buffer(body.substr(0, span.offset)), asio::buffer(model),
               asio::buffer(body.substr(span.offset + span.size))};
    c.part_count = 4;
    return std::nullopt;
  }

  bool streams(const Call& c) const override {
    const std::string_view type = c.exchange.content_type();
    return is_event_stream(type) || type.starts_with("application/x-ndjson");
  }

  asio::awaitable<bool> stream(Call& c) const override {
    const FrontCall& front = *c.front;
    std::optional<Usage> usage;
    if (is_event_stream(c.exchange.content_type())) {
      SseDecoder events(c.exchange.scratch(0), c.exchange.scratch(1), c.exchange.scratch(2));
      co_await relay_stream(
          c,
          [&](std::string_view in, std::string&) {
            if (events.carrying() || has_usage(in))
              events.feed(in, [&](const SseEvent& e) {
                if (has_usage(e.data)) merge(usage, front.native_usage(e.data));
              });
            else
              events.feed(in, [](const SseEvent&) {});
            return in;
          },
          [](std::string&) {});
    } else {
      NdjsonDecoder lines;
      co_await relay_stream(
          c,
          [&](std::string_view in, std::string&) {
            lines.feed(in, [&](std::string_view line) {
              if (has_usage(line)) merge(usage, front.native_usage(line));
            });
            return in;
          },
          [](std::string&) {});
    }
    c.log.usage = usage;
    co_return true;
  }

  Result<WholeAnswer> whole(const Call& c) const override {
    return answer_as_sent(c, c.front->native_usage(c.exchange.body()));
  }

  BackendError error(const Call& c, int) const override { return error_as_sent(c); }
};

}  // namespace

const ProviderAdapter& native_adapter() {
  static const NativeProvider adapter;
  return adapter;
}

}  // namespace fleetgate
