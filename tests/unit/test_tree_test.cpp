// The test tree mirrors src/: every source file has tests/unit/<folder>/<file>_test.cpp, or
// tests/unit/README.md says which existing test covers it.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>

namespace fleetgate {
namespace {

namespace fs = std::filesystem;
const fs::path kRoot = FLEETGATE_SOURCE_DIR;

TEST(TestTree, EverySourceFileSaysWhereItIsTested) {
  std::ifstream in(kRoot / "tests/unit/README.md");
  ASSERT_TRUE(in) << "tests/unit/README.md";
  std::map<std::string, std::string> listed;  // folder/file -> what covers it
  const std::regex entry(R"(^- `([a-z_]+/[a-z0-9_]+)` — (.*)$)");
  for (std::string line; std::getline(in, line);) {
    std::smatch m;
    if (std::regex_match(line, m, entry)) listed[m[1]] = m[2];
  }
  ASSERT_FALSE(listed.empty());
  for (const auto& [name, where] : listed) {
    // Every test path it names exists.
    const std::regex path(R"(tests/[a-z0-9_/]+\.(cpp|mjs))");
    for (auto it = std::sregex_iterator(where.begin(), where.end(), path);
         it != std::sregex_iterator(); ++it)
      EXPECT_TRUE(fs::exists(kRoot / it->str())) << name << ": " << it->str() << " does not exist";
  }
  for (const auto& dir : fs::directory_iterator(kRoot / "src")) {
    if (!dir.is_directory()) continue;
    for (const auto& f : fs::directory_iterator(dir.path())) {
      if (f.path().extension() != ".cpp") continue;
      const std::string folder = dir.path().filename().string();
      const std::string file = f.path().stem().string();
      const bool own = fs::exists(kRoot / "tests/unit" / folder / (file + "_test.cpp"));
      const bool said = listed.contains(folder + "/" + file);
      EXPECT_TRUE(own || said) << "src/" << folder << "/" << file
                               << ".cpp: no unit test and not listed in tests/unit/README.md";
      EXPECT_FALSE(own && said) << folder << "/" << file
                                << " has its own unit test: take it off tests/unit/README.md";
    }
  }
}

}  // namespace
}  // namespace fleetgate
