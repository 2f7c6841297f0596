// What the front ends' tests share: an internal (OpenAI chat) stream to translate, and running
// it through a front end whole and split at every offset.
#pragma once

#include "frontends/front_call.h"

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace fleetgate::testing {

// Text in two deltas, then a tool call in pieces, the finish, the usage chunk and [DONE].
inline constexpr std::string_view kTextThenTool =
    "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,"
    "\"delta\":{\"role\":\"assistant\",\"content\":\"Hel\"},\"finish_reason\":null}]}\n\n"
    "data: {\"id\":\"c1\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"lo \\u00e9\"},"
    "\"finish_reason\":null}]}\r\n\r\n"
    "data: {\"id\":\"c1\",\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,"
    "\"id\":\"call_1\",\"type\":\"function\",\"function\":{\"name\":\"search\",\"arguments\":"
    "\"\"}}]},\"finish_reason\":null}]}\n\n"
    "data: {\"id\":\"c1\",\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,"
    "\"function\":{\"arguments\":\"{\\\"q\\\":\"}}]},\"finish_reason\":null}]}\n\n"
    "data: {\"id\":\"c1\",\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,"
    "\"function\":{\"arguments\":\"\\\"fleet\\\"}\"}}]},\"finish_reason\":null}]}\n\n"
    ": keep-alive\n\n"
    "data: {\"id\":\"c1\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":"
    "\"tool_calls\"}]}\n\n"
    "data: {\"id\":\"c1\",\"choices\":[],\"usage\":{\"prompt_tokens\":11,\"completion_tokens\":7,"
    "\"total_tokens\":18}}\n\n"
    "data: [DONE]\n\n";

// Only text, finished by length.
inline constexpr std::string_view kTextCutByLength =
    "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"one\"},\"finish_reason\":null}]}\n\n"
    "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\" two\"},\"finish_reason\":"
    "\"length\"}]}\n\n"
    "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":2}}\n\n"
    "data: [DONE]\n\n";

// An error event after the first token (llama.cpp, vLLM).
inline constexpr std::string_view kErrorAfterFirst =
    "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"one\"},\"finish_reason\":null}]}\n\n"
    "data: {\"error\":{\"message\":\"out of memory\",\"type\":\"server_error\"}}\n\n";

using MakeCall = std::function<std::unique_ptr<FrontCall>()>;

// The client's bytes for `internal`, fed in two pieces at `split` (npos: whole), then ended.
inline std::string translate_stream(FrontCall& call, std::string_view internal,
                                    std::size_t split = std::string_view::npos) {
  std::string out;
  if (split == std::string_view::npos) {
    call.stream_feed(internal, out);
  } else {
    call.stream_feed(internal.substr(0, split), out);
    call.stream_feed(internal.substr(split), out);
  }
  call.stream_end(out);
  return out;
}

// The translation at every split offset equals the whole one; returns the whole one.
inline std::string same_at_every_split(const MakeCall& make, std::string_view internal) {
  auto whole_call = make();
  const std::string whole = translate_stream(*whole_call, internal);
  for (std::size_t split = 0; split <= internal.size(); ++split) {
    auto call = make();
    const std::string got = translate_stream(*call, internal, split);
    if (got != whole) {
      ADD_FAILURE() << "split at " << split << " gives\n" << got << "\ninstead of\n" << whole;
      break;
    }
  }
  return whole;
}

}  // namespace fleetgate::testing
