#include "config/yaml_reader.h"

#include "config/yaml11.h"

#include <charconv>
#include <cmath>

namespace fleetgate {

void YamlReader::error(const YAML::Node& at, const std::string& key, std::string problem) {
  issues_.push_back({file_, line_of(at), key, std::move(problem)});
}

void YamlReader::warn(const YAML::Node& at, const std::string& key, std::string problem) {
  warnings_.push_back({file_, line_of(at), key, std::move(problem), true});
}

std::optional<std::string> YamlReader::scalar(const YAML::Node& n, const std::string& key,
                                              const char* what) {
  if (is_null(n)) {
    error(n, key, std::string("is empty (needs ") + what + ")");
    return std::nullopt;
  }
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
  std::optional<double> value;
  if (auto i = yaml11_int(*text))
    value = static_cast<double>(*i);
  else if (auto f = yaml11_float(*text))
    value = *f;
  else {  // what pydantic still coerces, such as 1e3
    double v = 0;
    auto [ptr, ec] = std::from_chars(text->data(), text->data() + text->size(), v);
    if (ec == std::errc{} && ptr == text->data() + text->size()) value = v;
  }
  if (!value || !std::isfinite(*value)) {
    error(n, key, "must be a number, not '" + *text + "'");
    return std::nullopt;
  }
  return value;
}

std::optional<std::int64_t> YamlReader::integer(const YAML::Node& n, const std::string& key,
                                                std::int64_t min, std::int64_t max) {
  auto text = scalar(n, key, "a whole number");
  if (!text) return std::nullopt;
  auto value = yaml11_int(*text);
  if (!value) {
    error(n, key, "must be a whole number, not '" + *text + "'");
    return std::nullopt;
  }
  if (*value < min || *value > max) {
    error(n, key, "must be between " + std::to_string(min) + " and " + std::to_string(max));
    return std::nullopt;
  }
  return value;
}

std::optional<bool> YamlReader::boolean(const YAML::Node& n, const std::string& key) {
  auto text = scalar(n, key, "true or false");
  if (!text) return std::nullopt;
  if (auto b = yaml11_bool(*text)) return b;
  error(n, key, "must be true or false, not '" + *text + "'");
  return std::nullopt;
}

std::optional<Duration> YamlReader::duration(const YAML::Node& n, const std::string& key) {
  auto text = scalar(n, key, "a duration");
  if (!text) return std::nullopt;
  // LiteLLM's timeouts are seconds as PyYAML numbers (600, 1_000, 0.5); ours may carry a unit.
  std::optional<Duration> d;
  if (auto i = yaml11_int(*text)) {
    if (*i >= 0 && *i <= 100LL * 365 * 24 * 3600) d = std::chrono::seconds(*i);
  } else if (auto f = yaml11_float(*text)) {
    if (std::isfinite(*f) && *f >= 0 && *f <= 100.0 * 365 * 24 * 3600)
      d = Duration(static_cast<Duration::rep>(std::llround(*f * 1000)));
  } else {
    d = parse_duration(*text);
  }
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
