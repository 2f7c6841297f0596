// The client dialects' front ends: any body as an Anthropic, Responses or Ollama request, and any
// bytes as the internal stream and answer they translate back. What comes out is JSON (for
// Ollama's streams, JSON lines); nothing throws.
#include "frontends/front_end.h"
#include "fuzz_input.h"
#include "json_valid.h"

#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace fleetgate;
  const fuzz::Input in(data, size);
  static const char* const kPaths[] = {"/v1/messages",   "/v1/messages/count_tokens",
                                       "/v1/responses",  "/api/chat",
                                       "/api/generate",  "/api/embed",
                                       "/api/embeddings"};
  const std::string_view path = kPaths[in.choice % 7];
  const Dialect dialect = path.starts_with("/api/")      ? Dialect::Ollama
                          : path.starts_with("/v1/resp") ? Dialect::Responses
                                                         : Dialect::Anthropic;
  const PreviousLookup previous = [](std::string_view) -> std::optional<std::string> {
    return std::string("[{\"role\":\"user\",\"content\":\"hi\"}]");
  };
  // The bytes as a request...
  if (auto call = make_front_call(
          dialect,
          FrontInput{.path = path, .body = in.bytes, .request_id = "r", .previous = &previous}))
    fuzz::require_json((*call)->internal);
  // ... and as what a backend answers to a well-formed one.
  static constexpr std::string_view kRequests[] = {
      R"({"model":"m","max_tokens":8,"stream":true,"messages":[{"role":"user","content":"x"}]})",
      R"({"model":"m","max_tokens":8,"stream":true,"messages":[{"role":"user","content":"x"}]})",
      R"({"model":"m","input":"x","stream":true})",
      R"({"model":"m","messages":[{"role":"user","content":"x"}]})",
      R"({"model":"m","prompt":"x"})",
      R"({"model":"m","input":"x"})",
      R"({"model":"m","prompt":"x"})"};
  auto call = make_front_call(
      dialect, FrontInput{.path = path, .body = kRequests[in.choice % 7], .request_id = "r"});
  fuzz::require(call.has_value());
  if (auto answer = (*call)->answer(in.bytes)) fuzz::require_json(*answer);
  fuzz::require_json((*call)->error_body(500, in.bytes));
  auto streamed = make_front_call(
      dialect, FrontInput{.path = path, .body = kRequests[in.choice % 7], .request_id = "r"});
  std::string out;
  for (auto piece : fuzz::pieces(in.bytes, in.choice)) (*streamed)->stream_feed(piece, out);
  (*streamed)->stream_end(out);
  if (dialect == Dialect::Ollama) {
    std::string_view rest = out;
    while (!rest.empty()) {
      const auto nl = rest.find('\n');
      if (nl == std::string_view::npos) fuzz::require(false);  // every line ends
      fuzz::require_json(rest.substr(0, nl));
      rest.remove_prefix(nl + 1);
    }
  } else {
    fuzz::require_sse_json(out);
  }
  return 0;
}
