#include "config/yaml11.h"

#include <charconv>
#include <cmath>
#include <limits>

namespace fleetgate {

namespace {

bool is_digit(char c, int base) {
  if (base == 16) return std::isxdigit(static_cast<unsigned char>(c)) != 0;
  return c >= '0' && c < static_cast<char>('0' + base);
}

// Digits (with '_' between them allowed anywhere, as PyYAML's regexes do) in `base`.
std::optional<std::int64_t> digits(std::string_view s, int base) {
  std::string clean;
  for (char c : s) {
    if (c == '_') continue;
    if (!is_digit(c, base)) return std::nullopt;
    clean += c;
  }
  if (clean.empty()) return std::nullopt;
  std::int64_t v = 0;
  auto [p, ec] = std::from_chars(clean.data(), clean.data() + clean.size(), v, base);
  if (ec != std::errc{} || p != clean.data() + clean.size()) return std::nullopt;
  return v;
}

// "1:30:05" -> 5405 (each part after the first is 0..59).
std::optional<std::int64_t> sexagesimal(std::string_view s) {
  std::int64_t total = 0;
  bool first = true;
  while (true) {
    const auto colon = s.find(':');
    const auto part = digits(s.substr(0, colon), 10);
    if (!part || (!first && (*part > 59 || s.substr(0, colon).size() > 2))) return std::nullopt;
    if (total > std::numeric_limits<std::int64_t>::max() / 60) return std::nullopt;
    total = total * 60 + *part;
    first = false;
    if (colon == std::string_view::npos) return total;
    s.remove_prefix(colon + 1);
  }
}

}  // namespace

std::optional<std::int64_t> yaml11_int(std::string_view s) {
  bool negative = false;
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
    negative = s[0] == '-';
    s.remove_prefix(1);
  }
  if (s.empty() || s[0] == '_') return std::nullopt;
  std::optional<std::int64_t> v;
  if (s.starts_with("0b"))
    v = digits(s.substr(2), 2);
  else if (s.starts_with("0x"))
    v = digits(s.substr(2), 16);
  else if (s.find(':') != std::string_view::npos)
    v = s[0] == '0' ? std::nullopt : sexagesimal(s);
  else if (s.size() > 1 && s[0] == '0')
    v = digits(s.substr(1), 8);
  else
    v = digits(s, 10);
  if (!v) return std::nullopt;
  return negative ? -*v : *v;
}

std::optional<double> yaml11_float(std::string_view s) {
  if (s == ".nan" || s == ".NaN" || s == ".NAN") return std::numeric_limits<double>::quiet_NaN();
  bool negative = false;
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
    negative = s[0] == '-';
    s.remove_prefix(1);
  }
  const double sign = negative ? -1.0 : 1.0;
  if (s == ".inf" || s == ".Inf" || s == ".INF")
    return sign * std::numeric_limits<double>::infinity();
  const auto dot = s.find('.');
  if (dot == std::string_view::npos || s.empty() || s[0] == '_') return std::nullopt;
  const std::string_view whole = s.substr(0, dot);
  if (whole.find(':') != std::string_view::npos) {  // base 60 with a fraction: 1:30.5
    const auto w = sexagesimal(whole);
    const auto frac = s.substr(dot + 1);
    if (!w || (!frac.empty() && !digits(frac, 10))) return std::nullopt;
    std::string text = "0.";
    for (char c : frac)
      if (c != '_') text += c;
    double fraction = 0;
    if (text.size() > 2) std::from_chars(text.data(), text.data() + text.size(), fraction);
    return sign * (static_cast<double>(*w) + fraction);
  }
  std::string text;
  std::size_t i = 0;
  for (; i < s.size() && s[i] != 'e' && s[i] != 'E'; ++i) {
    const char c = s[i];
    if (c == '_') continue;
    if (c != '.' && !is_digit(c, 10)) return std::nullopt;
    text += c;
  }
  if (text == ".") return std::nullopt;
  if (i < s.size()) {  // exponent: [eE][-+][0-9]+
    const std::string_view e = s.substr(i + 1);
    if (e.size() < 2 || (e[0] != '+' && e[0] != '-')) return std::nullopt;
    for (char c : e.substr(1))
      if (!is_digit(c, 10)) return std::nullopt;
    text += 'e';
    text += e;
  }
  double v = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc{} || p != text.data() + text.size()) return std::nullopt;
  return sign * v;
}

std::optional<bool> yaml11_bool(std::string_view s) {
  for (std::string_view t : {"yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"})
    if (s == t) return true;
  for (std::string_view f : {"no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"})
    if (s == f) return false;
  return std::nullopt;
}

namespace {

// Whether the quoted scalar opening at `pos` closes before the end of `text`.
bool closes(std::string_view text, std::size_t pos) {
  const char quote = text[pos];
  for (std::size_t i = pos + 1; i < text.size(); ++i) {
    if (quote == '"' && text[i] == '\\') {
      ++i;
    } else if (text[i] == quote) {
      if (quote == '\'' && i + 1 < text.size() && text[i + 1] == '\'') {
        ++i;  // '' is a quote inside single quotes
        continue;
      }
      return true;
    }
  }
  return false;
}

std::optional<int> walk(const YAML::Node& n, std::string_view text, int depth) {
  if (depth > 64) return std::nullopt;  // yaml-cpp already bounds nesting; be safe anyway
  if (n.IsScalar()) {
    const int pos = n.Mark().pos;
    if (pos >= 0 && static_cast<std::size_t>(pos) < text.size() &&
        (text[static_cast<std::size_t>(pos)] == '"' ||
         text[static_cast<std::size_t>(pos)] == '\'') &&
        !closes(text, static_cast<std::size_t>(pos)))
      return n.Mark().line + 1;
    return std::nullopt;
  }
  if (n.IsMap()) {
    for (auto it = n.begin(); it != n.end(); ++it) {
      if (auto line = walk(it->first, text, depth + 1)) return line;
      if (auto line = walk(it->second, text, depth + 1)) return line;
    }
  } else if (n.IsSequence()) {
    for (auto it = n.begin(); it != n.end(); ++it)
      if (auto line = walk(*it, text, depth + 1)) return line;
  }
  return std::nullopt;
}

}  // namespace

std::optional<int> unterminated_quote(const YAML::Node& root, std::string_view text) {
  return walk(root, text, 0);
}

std::optional<int> quote_left_open(std::string_view text) {
  int line = 1;
  char quote = 0;  // the open quote, if any
  int opened = 0;
  char previous = '\n';  // the last character outside quotes that is not a blank
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '\n') {
      if (quote) return opened;
      ++line;
      previous = '\n';
      continue;
    }
    if (quote) {
      if (quote == '"' && c == '\\') {
        ++i;
      } else if (c == quote) {
        if (quote == '\'' && i + 1 < text.size() && text[i + 1] == '\'') {
          ++i;
        } else {
          quote = 0;
          previous = c;
        }
      }
      continue;
    }
    if (c == '#' && (i == 0 || text[i - 1] == ' ' || text[i - 1] == '\t' || text[i - 1] == '\n')) {
      while (i + 1 < text.size() && text[i + 1] != '\n') ++i;  // a comment
      continue;
    }
    if ((c == '"' || c == '\'') &&
        std::string_view("\n:-[{,").find(previous) != std::string_view::npos) {
      quote = c;
      opened = line;
      continue;
    }
    if (c != ' ' && c != '\t') previous = c;
  }
  return quote ? std::optional<int>(opened) : std::nullopt;
}

}  // namespace fleetgate
