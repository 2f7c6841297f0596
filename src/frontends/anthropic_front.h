// Anthropic's Messages API for clients (Claude Code, the Anthropic SDKs): POST /v1/messages to
// any deployment — anthropic/ ones get the client's body untouched but for the model — and
// POST /v1/messages/count_tokens. For the others: system prompts, text, image, tool_use and
// tool_result blocks, tools and tool_choice, stop_sequences, sampling and metadata become a
// chat completion; the answer comes back as content blocks with stop_reason and usage, and a
// stream as Anthropic's events (message_start … message_stop), each delta as it arrives. Pure.
#pragma once

#include "frontends/front_call.h"

#include <memory>

namespace fleetgate {

Result<std::unique_ptr<FrontCall>> anthropic_front(const FrontInput& in);

// An estimate of a Messages request's input tokens (count_tokens for deployments that cannot
// count): about four bytes of text per token, and a fixed cost per image and tool.
Result<std::uint64_t> estimate_input_tokens(std::string_view body);

}  // namespace fleetgate
