// OpenAI's Responses API for clients (Codex CLI, the openai SDKs' responses.*): POST /v1/responses
// with string or item input, instructions, function tools and function_call_output items,
// tool_choice, max_output_tokens, sampling and text.format (JSON schema), translated to a chat
// completion; the answer comes back as a response object with message and function_call items,
// and a stream as the typed events (response.created … response.completed or response.failed).
// What a backend cannot take (reasoning settings, include, hosted tools) is dropped and named in
// x-fleetgate-dropped. Deployments whose model_info.supported_endpoints list /v1/responses get
// the body untranslated. With store (the default), the response and its conversation are kept
// for GET /v1/responses/{id} and previous_response_id. Pure.
#pragma once

#include "frontends/front_call.h"

#include <memory>

namespace fleetgate {

Result<std::unique_ptr<FrontCall>> responses_front(const FrontInput& in);

}  // namespace fleetgate
