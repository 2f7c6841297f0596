// Which deployments take which endpoints (model_info.mode), and the endpoints' paths.
#include "openai/api_kind.h"

#include <gtest/gtest.h>

namespace fleetgate {
namespace {

TEST(ApiKind, ModeDecidesWhichEndpointsADeploymentTakes) {
  Deployment any;
  for (ApiKind k : {ApiKind::Chat, ApiKind::Embedding, ApiKind::Speech, ApiKind::Rerank})
    EXPECT_TRUE(serves_kind(any, k));
  Deployment chat;
  chat.mode = ModelMode::Chat;
  EXPECT_TRUE(serves_kind(chat, ApiKind::Completion));
  EXPECT_FALSE(serves_kind(chat, ApiKind::Embedding));
  EXPECT_FALSE(serves_kind(chat, ApiKind::Speech));
  Deployment whisper;
  whisper.mode = ModelMode::AudioTranscription;
  EXPECT_TRUE(serves_kind(whisper, ApiKind::Transcription));
  EXPECT_TRUE(serves_kind(whisper, ApiKind::Translation));
  EXPECT_FALSE(serves_kind(whisper, ApiKind::Chat));
  Deployment tts;
  tts.mode = ModelMode::AudioSpeech;
  EXPECT_TRUE(serves_kind(tts, ApiKind::Speech));
  EXPECT_FALSE(serves_kind(tts, ApiKind::Transcription));
  Deployment images;
  images.mode = ModelMode::ImageGeneration;
  EXPECT_TRUE(serves_kind(images, ApiKind::Image));
  EXPECT_FALSE(serves_kind(images, ApiKind::Rerank));
}

TEST(ApiKind, PathsAndShapes) {
  EXPECT_EQ(endpoint_path(ApiKind::Transcription), "/audio/transcriptions");
  EXPECT_EQ(endpoint_path(ApiKind::Rerank), "/rerank");
  EXPECT_EQ(endpoint_path(ApiKind::Image), "/images/generations");
  EXPECT_TRUE(is_upload(ApiKind::Translation));
  EXPECT_FALSE(is_upload(ApiKind::Speech));
  EXPECT_TRUE(is_binary_answer(ApiKind::Speech));
  EXPECT_TRUE(is_text(ApiKind::Embedding));
  EXPECT_FALSE(is_text(ApiKind::Image));
}

}  // namespace
}  // namespace fleetgate
