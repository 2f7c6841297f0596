// Typed access to YAML nodes that records `file:line: key.path: problem` issues instead of
// throwing.
#pragma once

#include "config/loader.h"
#include "core/units.h"

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <optional>
#include <string>

namespace fleetgate {

class YamlReader {
 public:
  YamlReader(std::string file, const EnvLookup& env, ConfigIssues& issues,
             std::vector<ConfigIssue>& warnings)
      : file_(std::move(file)), env_(env), issues_(issues), warnings_(warnings) {}

  void error(const YAML::Node& at, const std::string& key, std::string problem);
  void error_at(int line, const std::string& key, std::string problem) {
    issues_.push_back({file_, line, key, std::move(problem)});
  }
  void warn(const YAML::Node& at, const std::string& key, std::string problem);

  // A mapping key about to be read: returns its text and remembers its line, where problems
  // with an empty value are reported (yaml-cpp dates an empty value at the next line).
  std::string key(const YAML::Node& k) {
    key_line_ = line(k);
    return k.Scalar();
  }
  // The line to report a problem with `n` at.
  int line_of(const YAML::Node& n) const {
    return (n.IsNull() || !n.IsDefined()) && key_line_ ? key_line_ : line(n);
  }
  // An empty value, `~` or `null`: PyYAML's None, which LiteLLM reads as "not set".
  static bool is_null(const YAML::Node& n) { return !n.IsDefined() || n.IsNull(); }

  // Each returns nullopt (having recorded an issue) when the node has the wrong type. Numbers
  // and booleans are read as PyYAML reads them (80_000, 0x10, on/off; quoted digits too).
  // Strings resolve LiteLLM's `os.environ/NAME` form.
  std::optional<std::string> string(const YAML::Node& n, const std::string& key);
  std::optional<double> number(const YAML::Node& n, const std::string& key);
  std::optional<std::int64_t> integer(const YAML::Node& n, const std::string& key, std::int64_t min,
                                      std::int64_t max);
  std::optional<bool> boolean(const YAML::Node& n, const std::string& key);
  std::optional<Duration> duration(const YAML::Node& n, const std::string& key);
  std::optional<std::uint64_t> size(const YAML::Node& n, const std::string& key);
  bool expect_map(const YAML::Node& n, const std::string& key);
  bool expect_list(const YAML::Node& n, const std::string& key);

  static int line(const YAML::Node& n) { return n.Mark().is_null() ? 0 : n.Mark().line + 1; }
  const std::string& file() const { return file_; }

 private:
  std::optional<std::string> scalar(const YAML::Node& n, const std::string& key, const char* what);

  std::string file_;
  int key_line_ = 0;
  const EnvLookup& env_;
  ConfigIssues& issues_;
  std::vector<ConfigIssue>& warnings_;
};

}  // namespace fleetgate
