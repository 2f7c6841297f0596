// What every front end shares: the model, the dropped list, renaming the internal model.
#include "frontends/front_call.h"

#include "frontends/front_end.h"

#include <gtest/gtest.h>

namespace fleetgate {
namespace {

TEST(FrontCall, DroppedNamesOnce) {
  std::string list;
  add_dropped(list, "reasoning");
  add_dropped(list, "include");
  add_dropped(list, "reasoning");
  add_dropped(list, "reason");
  EXPECT_EQ(list, "reasoning,include,reason");
}

TEST(FrontCall, ModelAndRename) {
  auto call = make_front_call(
      Dialect::Ollama,
      FrontInput{.path = "/api/chat", .body = R"({"model":"qwen:latest","messages":[]})"});
  ASSERT_TRUE(call);
  EXPECT_EQ((*call)->model, "qwen:latest");
  (*call)->original = R"({"model":"qwen:latest","messages":[]})";  // as the gateway moves it in
  ASSERT_TRUE((*call)->original_model());
  EXPECT_EQ((*call)->original_model()->offset, 9u);
  EXPECT_EQ((*call)->original_model()->size, std::string_view("\"qwen:latest\"").size());
  ASSERT_TRUE(rename_model(**call, "qwen"));
  EXPECT_NE((*call)->internal.find("\"model\":\"qwen\""), std::string::npos);
  EXPECT_EQ((*call)->model, "qwen:latest");  // answers keep the client's name
}

}  // namespace
}  // namespace fleetgate
