// The CLI's exit codes and messages for misuse and bad configs.
#include "support/child_process.h"
#include "support/fleet.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
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

// Every key of the README's `fleet:` and `agent:` examples is one `fleetgate check` accepts.
TEST(Cli, TheReadmeFleetExampleIsValid) {
  std::ifstream in(FLEETGATE_SOURCE_DIR "/README.md");
  std::stringstream readme;
  readme << in.rdbuf();
  const std::string text = readme.str();
  std::string block;
  for (const char* section : {"```yaml\nfleet:\n", "```yaml\nagent:\n"}) {
    const auto start = text.find(section);
    ASSERT_NE(start, std::string::npos) << section;
    const auto end = text.find("```", start + 7);
    block += text.substr(start + 8, end - start - 8);
  }
  ::setenv("FLEET_TOKEN", "fleet-token-123", 1);
  ::setenv("PING_KEY", "ping-key-123", 1);
  ::setenv("BACKUP_PING_KEY", "backup-key-123", 1);
  std::string out;
  EXPECT_EQ(run({"check", "--config", write_config("model_list: []\n" + block)}, &out), 0) << out;
  EXPECT_EQ(out.find("error"), std::string::npos) << out;
  // The on-demand deployment and the check with an action, a file of their own.
  const auto od = text.find("```yaml\nmodel_list:\n  - model_name: llama-70b");
  ASSERT_NE(od, std::string::npos);
  const auto od_end = text.find("```", od + 7);
  EXPECT_EQ(run({"check", "--config", write_config(text.substr(od + 8, od_end - od - 8))}, &out), 0)
      << out;
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

TEST(Cli, MisuseExitsNonZero) {
  EXPECT_NE(run({}), 0);
  EXPECT_NE(run({"frobnicate"}), 0);
  EXPECT_NE(run({"serve"}), 0);
  EXPECT_NE(run({"sim", "--error-rate", "2"}), 0);
  EXPECT_EQ(run({"sim", "--fail-start"}), 1);
  EXPECT_EQ(run({"sim", "--listen", "10.0.0.1:0"}), 2);
}

}  // namespace fleetgate::test
