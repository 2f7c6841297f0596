// What translating costs in user space, per request, without the network: each front end takes
// the client's request to the internal form and the backend's answer back, next to the
// reference the issue sets — parsing the request once (Boost.JSON) and writing the answer once
// — and to what a passed-through chat completion costs (scan_request). Run by bench/run.sh.
#include "frontends/front_end.h"
#include "openai/request_scan.h"

#include <benchmark/benchmark.h>
#include <boost/json.hpp>

#include <fstream>
#include <iterator>

namespace fleetgate {
namespace {

namespace json = boost::json;

// The sim's answer to the bench's request (bench/run.sh), as the backend sends it.
constexpr std::string_view kChatAnswer =
    R"({"id":"chatcmpl-sim-086040c08ed17187","object":"chat.completion","created":1796173540,)"
    R"("model":"m","choices":[{"index":0,"message":{"role":"assistant","content":"The fleet is up )"
    R"(and every backend answers in time. The fleet is up and every "},"finish_reason":"stop"}],)"
    R"("usage":{"prompt_tokens":23,"completion_tokens":16,"total_tokens":39}})";

struct Case {
  Dialect dialect;
  std::string_view path;
  std::string_view body;
};
constexpr Case kCases[] = {
    {Dialect::Anthropic, "/v1/messages",
     R"({"model":"m","max_tokens":16,"messages":[{"role":"user","content":"Say hello in five words."}]})"},
    {Dialect::Responses, "/v1/responses",
     R"({"model":"m","input":"Say hello in five words.","max_output_tokens":16,"store":false})"},
    {Dialect::Ollama, "/api/chat",
     R"({"model":"m","stream":false,"messages":[{"role":"user","content":"Say hello in five words."}]})"},
};

// The requests shaped like Claude Code's and Codex CLI's own (tests/fixtures/clients/).
std::string fixture(const char* name) {
  std::ifstream in(std::string(FLEETGATE_SOURCE_DIR) + "/tests/fixtures/clients/" + name);
  return std::string(std::istreambuf_iterator<char>(in), {});
}
const std::string kClaudeCode = fixture("claude_code_messages.json");
const std::string kCodex = fixture("codex_responses.json");

Case case_of(std::int64_t n) {
  if (n == 3) return {Dialect::Anthropic, "/v1/messages", kClaudeCode};
  if (n == 4) return {Dialect::Responses, "/v1/responses", kCodex};
  return kCases[n];
}

void translate(benchmark::State& state) {
  const Case c = case_of(state.range(0));
  state.SetLabel(std::string(c.path) + (state.range(0) >= 3 ? " (client fixture)" : ""));
  for (auto _ : state) {
    FrontInput in{.path = c.path, .body = c.body, .request_id = "0123456789abcdef", .now = 1};
    auto call = make_front_call(c.dialect, in);
    if (!call) state.SkipWithError("the request did not translate");
    auto answer = (*call)->answer(kChatAnswer);
    if (!answer) state.SkipWithError("the answer did not translate");
    benchmark::DoNotOptimize(answer->data());
  }
}
BENCHMARK(translate)->DenseRange(0, 4);

// The reference: the client's request parsed once (Boost.JSON) and the dialect's own answer
// (as the translation gives it) written once.
void parse_once_write_once(benchmark::State& state) {
  const Case c = case_of(state.range(0));
  state.SetLabel(std::string(c.path) + (state.range(0) >= 3 ? " (client fixture)" : ""));
  FrontInput in{.path = c.path, .body = c.body, .request_id = "0123456789abcdef", .now = 1};
  auto call = make_front_call(c.dialect, in);
  if (!call) return state.SkipWithError("the request did not translate");
  const auto answer = (*call)->answer(kChatAnswer);
  if (!answer) return state.SkipWithError("the answer did not translate");
  std::string out;
  for (auto _ : state) {
    boost::system::error_code ec;
    json::value request = json::parse(c.body, ec);
    benchmark::DoNotOptimize(request);
    out.assign(*answer);
    benchmark::DoNotOptimize(out.data());
  }
}
BENCHMARK(parse_once_write_once)->DenseRange(0, 4);

// A chat completion passed through: only its fields are scanned.
void passthrough_scan(benchmark::State& state) {
  constexpr std::string_view body =
      R"({"model":"m","messages":[{"role":"user","content":"Say hello in five words."}],"max_tokens":16})";
  for (auto _ : state) {
    auto fields = scan_request(body);
    benchmark::DoNotOptimize(fields);
  }
}
BENCHMARK(passthrough_scan);

}  // namespace
}  // namespace fleetgate

BENCHMARK_MAIN();
