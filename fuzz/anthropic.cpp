// Translations to and from Anthropic's Messages API: an OpenAI chat request, a whole response,
// and a streamed one event by event. What comes out is JSON; nothing throws.
#include "openai/anthropic.h"
#include "json_valid.h"
#include "openai/sse.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace fleetgate;
  const fuzz::Input in(data, size);
  if (auto r = to_anthropic_request("claude-3-haiku", in.bytes)) fuzz::require_json(*r);
  const ResponseMeta meta{"chatcmpl-x", 1, "claude", (in.choice & 1) != 0};
  if (auto r = from_anthropic_response(in.bytes, meta)) fuzz::require_json(r->body);
  fuzz::require_json(anthropic_error_to_openai(400, in.bytes));
  AnthropicStreamTranslator t(meta);
  SseDecoder events;
  std::string out;
  for (auto piece : fuzz::pieces(in.bytes, in.choice))
    events.feed(piece, [&](const SseEvent& e) { t.on_event(e.event, e.data, out); });
  t.finish(out);
  fuzz::require_sse_json(out);
  return 0;
}
