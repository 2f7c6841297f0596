// Which OpenAI endpoint a request came in on; translation and validation depend on it.
#pragma once

namespace fleetgate {

enum class ApiKind { Chat, Completion, Embedding };

}  // namespace fleetgate
