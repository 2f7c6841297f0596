// Ollama's own API (ollama/ → /api/generate, ollama_chat/ → /api/chat, embeddings → /api/embed):
// requests, answers and NDJSON streams translated to and from OpenAI's.
#include "openai/ndjson.h"
#include "openai/ollama.h"
#include "providers/provider.h"
#include "providers/stream_relay.h"

namespace fleetgate {

namespace {

class OllamaProvider final : public ProviderAdapter {
 public:
  std::optional<Error> build_request(Call& c) const override {
    if (!is_text(c.kind))
      return Error(Errc::NotImplemented,
                   "Ollama serves chat, completions and embeddings only; audio, rerank and image "
                   "requests need an OpenAI-compatible deployment.");
    auto translated = to_ollama_request(c.kind, c.deployment.provider, c.model(), c.req.body);
    if (!translated) return translated.error();
    c.translated_body = std::move(translated->body);
    c.set_translated_request(c.deployment.api_base.base_path + translated->path);
    return std::nullopt;
  }

  bool streams(const Call& c) const override { return c.kind != ApiKind::Embedding; }

  asio::awaitable<bool> stream(Call& c) const override {
    NdjsonDecoder lines;
    OllamaStreamTranslator translator(c.kind, c.response_meta());
    const bool finished = co_await relay_stream(
        c,
        [&](std::string_view in, std::string& out) {
          lines.feed(in, [&](std::string_view line) { translator.on_line(line, out); });
          return std::string_view(out);
        },
        [&](std::string& out) {
          lines.finish([&](std::string_view line) { translator.on_line(line, out); });
          translator.finish(out);
        });
    c.log.usage = translator.usage();
    if (!translator.error().empty()) c.log.error = c.deployment.id + ": " + translator.error();
    co_return finished&& translator.done();
  }

  Result<WholeAnswer> whole(const Call& c) const override {
    return translated_answer(from_ollama_response(c.kind, c.exchange.body(), c.response_meta()));
  }

  BackendError error(const Call& c, int status) const override {
    return BackendError{ollama_error_to_openai(status, c.exchange.body())};
  }
};

}  // namespace

const ProviderAdapter& ollama_adapter() {
  static const OllamaProvider adapter;
  return adapter;
}

}  // namespace fleetgate
