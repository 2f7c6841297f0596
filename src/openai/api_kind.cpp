#include "openai/api_kind.h"

namespace fleetgate {

bool serves_kind(const Deployment& d, ApiKind kind) {
  if (!d.mode) return true;
  switch (*d.mode) {
    case ModelMode::Chat:
    case ModelMode::Completion: return kind == ApiKind::Chat || kind == ApiKind::Completion;
    case ModelMode::Embedding: return kind == ApiKind::Embedding;
    case ModelMode::AudioTranscription:
      return kind == ApiKind::Transcription || kind == ApiKind::Translation;
    case ModelMode::AudioSpeech: return kind == ApiKind::Speech;
    case ModelMode::Rerank: return kind == ApiKind::Rerank;
    case ModelMode::ImageGeneration: return kind == ApiKind::Image;
  }
  return true;
}

std::string_view endpoint_path(ApiKind kind) {
  switch (kind) {
    case ApiKind::Chat: return "/chat/completions";
    case ApiKind::Completion: return "/completions";
    case ApiKind::Embedding: return "/embeddings";
    case ApiKind::Transcription: return "/audio/transcriptions";
    case ApiKind::Translation: return "/audio/translations";
    case ApiKind::Speech: return "/audio/speech";
    case ApiKind::Rerank: return "/rerank";
    case ApiKind::Image: return "/images/generations";
  }
  return "/chat/completions";
}

}  // namespace fleetgate
