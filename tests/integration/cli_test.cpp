// The CLI's exit codes and messages for misuse and bad configs.
#include "support/child_process.h"
#include "support/eventually.h"
#include "support/fleet.h"
#include "support/http_client.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <regex>
#include <sstream>

namespace fleetgate::test {

TEST(Cli, CheckAcceptsAValidConfig) {
  std::string out;
  EXPECT_EQ(
      run({"check", "--config",
           write_config("model_list:\n  - model_name: a\n    litellm_params: {model: openai/a, "
                        "api_base: 'http://h:1/v1'}\n")},
          &out),
      0)
      << out;
  EXPECT_NE(out.find("ok (1 deployment, 1 model)"), std::string::npos) << out;
}

TEST(Cli, TheDemoConfigIsValid) {
  std::string out;
  EXPECT_EQ(run({"check", "--config", FLEETGATE_SOURCE_DIR "/examples/demo.yaml"}, &out), 0) << out;
  EXPECT_EQ(out.find("warning"), std::string::npos) << out;
}

// Every fenced YAML block of the README passes `fleetgate check` on its own, each `os.environ/`
// name it uses set; and every block is closed (an unclosed fence once hid half a section).
TEST(Cli, EveryReadmeYamlBlockPassesCheckOnItsOwn) {
  std::ifstream in(FLEETGATE_SOURCE_DIR "/README.md");
  std::stringstream readme;
  readme << in.rdbuf();
  const std::string text = readme.str();
  std::size_t fences = 0;
  for (auto at = text.find("```"); at != std::string::npos; at = text.find("```", at + 3)) ++fences;
  EXPECT_EQ(fences % 2, 0u) << "an unclosed ``` fence in README.md";
  int blocks = 0;
  for (auto at = text.find("```yaml\n"); at != std::string::npos;
       at = text.find("```yaml\n", at + 1)) {
    const auto start = at + 8;
    const auto end = text.find("\n```", start);
    ASSERT_NE(end, std::string::npos);
    const std::string block = text.substr(start, end - start + 1);
    const std::regex env_name("os\\.environ/([A-Za-z_0-9]+)");
    for (std::sregex_iterator m(block.begin(), block.end(), env_name), e; m != e; ++m)
      ::setenv((*m)[1].str().c_str(), "readme-secret-value", 1);
    std::string out;
    EXPECT_EQ(run({"check", "--config", write_config(block)}, &out), 0)
        << "README block at byte " << at << ":\n"
        << block << "\n"
        << out;
    EXPECT_EQ(out.find(": warning: fleet"), std::string::npos) << out;  // our own keys: no warning
    ++blocks;
  }
  EXPECT_GE(blocks, 5);
}

TEST(Cli, CheckReportsFileLineKeyAndFails) {
  const std::string path = write_config(
      "model_list:\n  - model_name: a\n    litellm_params: {model: openai/a, rpm: lots}\n");
  std::string out;
  EXPECT_EQ(run({"check", "--config", path}, &out), 2);
  EXPECT_NE(out.find(path + ":3: model_list[0].litellm_params.rpm: must be a whole number"),
            std::string::npos)
      << out;
}

TEST(Cli, ServeRefusesAnInvalidConfigWithoutListening) {
  std::string out;
  EXPECT_EQ(run({"serve", "--config", write_config("fleetgate: {listen: nowhere}\n")}, &out), 2);
  EXPECT_EQ(out.find("listening on"), std::string::npos) << out;
}

TEST(Cli, ServeRefusesPublicListenWithoutAKey) {
  std::string out;
  EXPECT_EQ(
      run({"serve", "--config", write_config("model_list: []\n"), "--listen", "0.0.0.0:0"}, &out),
      2);
  EXPECT_NE(out.find("without general_settings.master_key"), std::string::npos) << out;
}

TEST(Cli, ServeRefusesAnAccessLogItCannotOpen) {
  std::string out;
  EXPECT_EQ(run({"serve", "--config",
                 write_config("model_list: []\nfleetgate: {listen: '127.0.0.1:0', access_log: "
                              "/nonexistent-dir/a.log}\n")},
                &out),
            1);
  EXPECT_NE(
      out.find(
          "fleetgate.access_log: cannot open /nonexistent-dir/a.log: No such file or directory"),
      std::string::npos)
      << out;
  EXPECT_EQ(out.find("listening on"), std::string::npos) << out;
}

TEST(Cli, RequestsListsTheRequestLog) {
  auto sim = start_sim({"--models", "m"});
  auto gw = start_gateway("model_list:\n" + deployment("m", "openai/m", sim.port));
  const std::string url = "http://127.0.0.1:" + std::to_string(gw.port);
  ASSERT_EQ(http_request(gw.port, "POST", "/v1/chat/completions",
                         R"({"model":"m","messages":[{"role":"user","content":"hi"}]})")
                .status,
            200);
  std::string out;
  ASSERT_TRUE(eventually([&] {
    return run({"requests", "--url", url, "--since", "10m", "--model", "m"}, &out) == 0 &&
           out.find("\"model\":\"m\"") != std::string::npos;
  })) << out;
  EXPECT_NE(out.find("\"status\":200"), std::string::npos) << out;
  EXPECT_EQ(run({"requests", "--url", url, "--failed"}, &out), 0);
  EXPECT_EQ(out, "");                                                      // none failed
  EXPECT_EQ(run({"requests", "--limit", "0"}, &out), 2);                   // misuse
  EXPECT_EQ(run({"requests", "--url", url, "--since", "soon"}, &out), 1);  // the server says why
  EXPECT_NE(out.find("since"), std::string::npos) << out;
}

TEST(Cli, MisuseExitsNonZero) {
  std::string out;
  EXPECT_EQ(run({}, &out), 2);
  EXPECT_NE(out.find("A subcommand is required"), std::string::npos) << out;
  EXPECT_EQ(run({"frobnicate"}, &out), 2);
  EXPECT_EQ(run({"serve"}, &out), 2);
  EXPECT_NE(out.find("--config is required"), std::string::npos) << out;
  EXPECT_EQ(run({"sim", "--error-rate", "2"}, &out), 2);
  EXPECT_EQ(run({"check", "--help"}, &out), 0);
  EXPECT_EQ(run({"sim", "--fail-start"}), 1);
  EXPECT_EQ(run({"sim", "--listen", "10.0.0.1:0"}), 2);
}

}  // namespace fleetgate::test
