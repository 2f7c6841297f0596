// The model lists backends publish (OpenAI, Ollama, llama.cpp's /props and /slots), for drift.
#include "openai/model_lists.h"

#include <gtest/gtest.h>

namespace fleetgate {
namespace {

using namespace std::chrono_literals;

TEST(ModelLists, ParsesOpenAIAndOllamaLists) {
  EXPECT_EQ(parse_openai_model_ids(R"({"object":"list","data":[{"id":"a"},{"id":"b"},{"x":1}]})"),
            (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(parse_ollama_tags(R"({"models":[{"name":"qwen2.5:7b","model":"qwen2.5:7b"}]})"),
            (std::vector<std::string>{"qwen2.5:7b"}));
  EXPECT_FALSE(parse_openai_model_ids("not json"));
  EXPECT_FALSE(parse_ollama_tags(R"({"data":[]})"));
}

TEST(ModelLists, LlamaCppAliasesCountAsNames) {
  EXPECT_EQ(parse_openai_model_ids(
                R"({"data":[{"id":"qwen","aliases":["qwen","qwen-fast"],"owned_by":"llamacpp"}]})"),
            (std::vector<std::string>{"qwen", "qwen-fast"}));
}

TEST(ModelLists, ALlamaCppServerIsJudgedByWhatItHasLoaded) {
  const auto props = parse_llamacpp_props(
      R"({"model_alias":"/models/Qwen2.5-7B-Instruct-Q4_K_M.gguf","model_path":"/models/Qwen2.5-7B-Instruct-Q4_K_M.gguf","total_slots":1})");
  ASSERT_TRUE(props);
  for (const char* same :
       {"/models/Qwen2.5-7B-Instruct-Q4_K_M.gguf", "Qwen2.5-7B-Instruct-Q4_K_M.gguf",
        "Qwen2.5-7B-Instruct-Q4_K_M", "qwen2.5-7b-instruct", "Qwen2.5_7B"})
    EXPECT_TRUE(loaded_model_is(*props, same)) << same;
  for (const char* other : {"llama-3.1-8b", "qwen2.5-14b", "q", ""})
    EXPECT_FALSE(loaded_model_is(*props, other)) << other;
  EXPECT_TRUE(loaded_model_is(LoadedModel{"/m/x.gguf", "coder"}, "coder"));
  EXPECT_FALSE(parse_llamacpp_props(R"({"default_generation_settings":{}})"));
  EXPECT_FALSE(parse_llamacpp_props("[]"));
}

TEST(ModelLists, OllamaUntaggedNamesMeanLatest) {
  const std::vector<std::string> served{"llama3:latest", "qwen2.5:7b"};
  EXPECT_TRUE(serves_model(served, "llama3", true));
  EXPECT_TRUE(serves_model(served, "qwen2.5:7b", true));
  EXPECT_FALSE(serves_model(served, "qwen2.5", true));
  EXPECT_FALSE(serves_model(served, "llama3", false));
}

TEST(ModelLists, CountsLlamaCppFreeSlotsOldAndNew) {
  EXPECT_EQ(
      parse_llamacpp_free_slots(
          R"([{"id":0,"is_processing":false},{"id":1,"is_processing":true},{"id":2,"is_processing":false}])"),
      2);
  EXPECT_EQ(parse_llamacpp_free_slots(R"([{"id":0,"state":0},{"id":1,"state":1}])"), 1);
  EXPECT_FALSE(parse_llamacpp_free_slots(R"({"error":"disabled"})"));
}

}  // namespace
}  // namespace fleetgate
