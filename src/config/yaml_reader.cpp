#include "config/yaml_reader.h"

#include <charconv>
#include <cmath>

namespace fleetgate {

void YamlReader::error(const YAML::Node& at, const std::string& key, std::string problem) {
  issues_.push_back({file_, line(at), key, std::move(problem)});
}

void YamlReader::warn(const YAML::Node& at, const std::string& key, std::string problem) {
  warnings_.push_back({file_, line(at), key, std::move(problem)});
}

std::optional<std::string> YamlReader::scalar(const YAML::Node& n, const std::string& key,
                                              const char* what) {
  if (!n.IsScalar()) {
    error(n, key, std::string("must be ") + what);
    return std::nullopt;
  }
  return n.Scalar();
}

std::optional<std::string> YamlReader::string(const YAML::Node& n, const std::string& key) {
  auto text = scalar(n, key, "a string");
  if (!text) return std::nullopt;
  constexpr std::string_view kEnvPrefix = "os.environ/";
  if (std::string_view(*text).starts_with(kEnvPrefix)) {
    const std::string name = text->substr(kEnvPrefix.size());
    auto value = env_(name);
    if (!value) {
      error(n, key, "environment variable " + name + " is not set");
      return std::nullopt;
    }
    return value;
  }
  return text;
}

std::optional<double> YamlReader::number(const YAML::Node& n, const std::string& key) {
  auto text = scalar(n, key, "a number");
  if (!text) return std::nullopt;
  double value = 0;
  auto [ptr, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (ec != std::errc{} || ptr != text->data() + text->size() || !std::isfinite(value)) {
    error(n, key, "must be a number, not '" + *text + "'");
    return std::nullopt;
  }
  return value;
}

std::optional<std::int64_t> YamlReader::integer(const YAML::Node& n, const std::string& key,
                                                std::int64_t min, std::int64_t max) {
  auto text = scalar(n, key, "a whole number");
  if (!text) return std::nullopt;
  std::int64_t value = 0;
  auto [ptr, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (ec != std::errc{} || ptr != text->data() + text->size()) {
    error(n, key, "must be a whole number, not '" + *text + "'");
    return std::nullopt;
  }
  if (value < min || value > max) {
    error(n, key, "must be between " + std::to_string(min) + " and " + std::to_string(max));
    return std::nullopt;
  }
  return value;
}

std::optional<bool> YamlReader::boolean(const YAML::Node& n, const std::string& key) {
  auto text = scalar(n, key, "true or false");
  if (!text) return std::nullopt;
  if (*text == "true" || *text == "True" || *text == "yes") return true;
  if (*text == "false" || *text == "False" || *text == "no") return false;
  error(n, key, "must be true or false, not '" + *text + "'");
  return std::nullopt;
}

std::optional<Duration> YamlReader::duration(const YAML::Node& n, const std::string& key) {
  auto text = scalar(n, key, "a duration");
  if (!text) return std::nullopt;
  auto d = parse_duration(*text);
  if (!d) {
    error(n, key, "must be a duration such as 30, 250ms, 5s, 2m or 1h, not '" + *text + "'");
    return std::nullopt;
  }
  return d;
}

std::optional<std::uint64_t> YamlReader::size(const YAML::Node& n, const std::string& key) {
  auto text = scalar(n, key, "a size");
  if (!text) return std::nullopt;
  auto s = parse_size(*text);
  if (!s) {
    error(n, key, "must be a size such as 4096, 512KiB or 32MiB, not '" + *text + "'");
    return std::nullopt;
  }
  return s;
}

bool YamlReader::expect_map(const YAML::Node& n, const std::string& key) {
  if (n.IsMap()) return true;
  error(n, key, "must be a mapping");
  return false;
}

bool YamlReader::expect_list(const YAML::Node& n, const std::string& key) {
  if (n.IsSequence()) return true;
  error(n, key, "must be a list");
  return false;
}

}  // namespace fleetgate
