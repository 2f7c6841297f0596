// The model a deployment is asked for, fixed, filled from a wildcard, or the request's.
#include "routing/upstream_model.h"

#include "routing_fixtures.h"

#include <gtest/gtest.h>

namespace fleetgate {
namespace {

using test::deployment;

TEST(UpstreamModel, FixedFilledOrFollowingTheRequest) {
  EXPECT_EQ(upstream_model_for(deployment("claude-*", "qwen2.5:7b"), "claude-3-opus"),
            "qwen2.5:7b");
  EXPECT_FALSE(deployment("claude-*", "qwen2.5:7b").follows_request());
  EXPECT_EQ(upstream_model_for(deployment("*", "*"), "gpt-4o"), "gpt-4o");
  EXPECT_EQ(upstream_model_for(deployment("anthropic/*", "*"), "anthropic/claude-3-haiku"),
            "claude-3-haiku");
  EXPECT_EQ(upstream_model_for(deployment("claude-*", "claude-*"), "claude-3-opus"),
            "claude-3-opus");
  // More segments than the model has wildcards: the requested name as it is (LiteLLM).
  EXPECT_EQ(upstream_model_for(deployment("*meta.llama3*", "meta.llama3*"), "x-meta.llama3-70b"),
            "x-meta.llama3-70b");
}

TEST(UpstreamModel, ABareStarDeploymentTakesItsProvidersNamesOnly) {
  Deployment openai = deployment("*", "*", Provider::OpenAI);
  openai.provider_from_request = true;
  Deployment anthropic = deployment("*", "*", Provider::Anthropic);
  anthropic.provider_from_request = true;
  EXPECT_TRUE(takes_request(openai, "gpt-4o-mini"));
  EXPECT_FALSE(takes_request(openai, "claude-3-haiku"));
  EXPECT_TRUE(takes_request(anthropic, "claude-3-haiku"));
  EXPECT_TRUE(takes_request(anthropic, "anthropic/claude-3-haiku"));
  EXPECT_EQ(upstream_model_for(anthropic, "anthropic/claude-3-haiku"), "claude-3-haiku");
  EXPECT_FALSE(takes_request(openai, "llama3"));
  EXPECT_FALSE(takes_request(anthropic, "llama3"));
  EXPECT_TRUE(takes_request(deployment("x"), "anything"));
}

}  // namespace
}  // namespace fleetgate
