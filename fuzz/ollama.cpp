// Translations to and from Ollama: an OpenAI request for /api/chat or /api/generate, a whole
// response, and a streamed one line by line. What comes out is JSON; nothing throws.
#include "openai/ollama.h"
#include "json_valid.h"
#include "openai/ndjson.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace fleetgate;
  const fuzz::Input in(data, size);
  const ApiKind kinds[] = {ApiKind::Chat, ApiKind::Completion, ApiKind::Embedding};
  const ApiKind kind = kinds[in.choice % 3];
  const Provider provider = in.choice & 4 ? Provider::Ollama : Provider::OllamaChat;
  if (auto r = to_ollama_request(kind, provider, "qwen2.5:7b", in.bytes))
    fuzz::require_json(r->body);
  const ResponseMeta meta{"chatcmpl-x", 1, "fast", (in.choice & 8) != 0};
  if (auto r = from_ollama_response(kind, in.bytes, meta)) fuzz::require_json(r->body);
  fuzz::require_json(ollama_error_to_openai(500, in.bytes));
  if (kind != ApiKind::Embedding) {
    OllamaStreamTranslator t(kind, meta);
    NdjsonDecoder lines;
    std::string out;
    for (auto piece : fuzz::pieces(in.bytes, in.choice))
      lines.feed(piece, [&](std::string_view line) { t.on_line(line, out); });
    lines.finish([&](std::string_view line) { t.on_line(line, out); });
    t.finish(out);
    fuzz::require_sse_json(out);
  }
  return 0;
}
