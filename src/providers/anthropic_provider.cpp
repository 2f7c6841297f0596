// Anthropic's Messages API (anthropic/): chat completions translated to /v1/messages and back,
// its SSE events to OpenAI's chunks.
#include "openai/anthropic.h"
#include "openai/sse.h"
#include "providers/provider.h"
#include "providers/stream_relay.h"

namespace fleetgate {

namespace {

class AnthropicProvider final : public ProviderAdapter {
 public:
  std::optional<Error> build_request(Call& c) const override {
    if (c.kind != ApiKind::Chat)  // audio, rerank and images are OpenAI-compatible backends' own
      return Error(Errc::NotImplemented, "The anthropic/ provider serves chat completions only.");
    auto translated = to_anthropic_request(c.model(), c.req.body);
    if (!translated) return translated.error();
    c.translated_body = std::move(*translated);
    const std::string& base = c.deployment.api_base.base_path;  // "" or "/v1"
    c.set_translated_request(base + (base.ends_with("/v1") ? "/messages" : "/v1/messages"));
    return std::nullopt;
  }

  bool streams(const Call& c) const override { return is_event_stream(c.exchange.content_type()); }

  asio::awaitable<bool> stream(Call& c) const override {
    SseDecoder events(c.exchange.scratch(0), c.exchange.scratch(1), c.exchange.scratch(2));
    AnthropicStreamTranslator translator(c.response_meta());
    const bool finished = co_await relay_stream(
        c,
        [&](std::string_view in, std::string& out) {
          events.feed(in, [&](const SseEvent& e) { translator.on_event(e.event, e.data, out); });
          return std::string_view(out);
        },
        [&](std::string& out) { translator.finish(out); });
    c.log.usage = translator.usage();
    if (!translator.error().empty()) c.log.error = c.deployment.id + ": " + translator.error();
    co_return finished&& translator.done();
  }

  Result<WholeAnswer> whole(const Call& c) const override {
    return translated_answer(from_anthropic_response(c.exchange.body(), c.response_meta()));
  }

  BackendError error(const Call& c, int status) const override {
    return BackendError{anthropic_error_to_openai(status, c.exchange.body())};
  }
};

}  // namespace

const ProviderAdapter& anthropic_adapter() {
  static const AnthropicProvider adapter;
  return adapter;
}

}  // namespace fleetgate
