// Which OpenAI endpoint a request came in on; translation, validation and which deployments
// may serve it (model_info.mode) depend on it.
#pragma once

#include "config/config.h"

#include <string_view>

namespace fleetgate {

enum class ApiKind {
  Chat,
  Completion,
  Embedding,
  Transcription,  // /v1/audio/transcriptions: a multipart upload
  Translation,    // /v1/audio/translations: a multipart upload
  Speech,         // /v1/audio/speech: JSON in, audio out
  Rerank,         // /v1/rerank (Jina/Cohere shape, as vLLM and llama.cpp serve it)
  Image           // /v1/images/generations
};

// Whether the request body is a multipart/form-data upload.
inline bool is_upload(ApiKind k) {
  return k == ApiKind::Transcription || k == ApiKind::Translation;
}
// Whether the answer is the backend's own bytes (audio), relayed as they come.
inline bool is_binary_answer(ApiKind k) { return k == ApiKind::Speech; }
// The endpoints every backend kind serves (chat, completions, embeddings).
inline bool is_text(ApiKind k) {
  return k == ApiKind::Chat || k == ApiKind::Completion || k == ApiKind::Embedding;
}

// Whether a deployment takes requests of `kind`: by its model_info.mode when it has one (chat and
// completion deployments take the text endpoints, the others only their own), else any.
bool serves_kind(const Deployment& d, ApiKind kind);

// The endpoint's path below the API base ("/chat/completions", "/audio/speech", …).
std::string_view endpoint_path(ApiKind kind);

}  // namespace fleetgate
