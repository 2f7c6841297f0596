// YAML as PyYAML reads it (YAML 1.1), which is how LiteLLM reads config.yaml: plain scalars such
// as 80_000, 0x1F, 1:30, on/off and ~ mean numbers, booleans and null there, and an unclosed quote
// is an error. yaml-cpp leaves these as text (and reads an unclosed quote to the end of the file),
// so the reader asks here. Pure.
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace fleetgate {

// PyYAML's int: decimal, 0b, 0x, 0-prefixed octal, base-60 (1:30), with '_' separators.
std::optional<std::int64_t> yaml11_int(std::string_view plain);
// PyYAML's float: needs a '.', exponent sign required (1.5e+3), .inf, .nan, base 60, '_'.
std::optional<double> yaml11_float(std::string_view plain);
// yes/no, true/false, on/off in their three spellings each.
std::optional<bool> yaml11_bool(std::string_view plain);

// A plain scalar, as opposed to a quoted or block one (always a string for PyYAML).
inline bool is_plain(const YAML::Node& n) { return n.IsScalar() && n.Tag() == "?"; }

// The 1-based line of the first quoted scalar in `root` that `text` never closes; nullopt if none.
std::optional<int> unterminated_quote(const YAML::Node& root, std::string_view text);

// When the text does not parse: the line of the first quoted string that is not closed on its
// own line (YAML allows it, but it is the likely culprit), as a hint; nullopt if none.
std::optional<int> quote_left_open(std::string_view text);

}  // namespace fleetgate
