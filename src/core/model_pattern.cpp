#include "core/model_pattern.h"

#include <algorithm>

namespace fleetgate {

namespace {

// Longer names never match: it bounds the quadratic search below on hostile input.
constexpr std::size_t kMaxMatchedName = 512;

// Python 3.7+'s re.escape escapes these; LiteLLM's specificity is measured on the escaped form.
constexpr std::string_view kEscaped = "()[]{}?*+-|^$\\.&~# \t\n\r\v\f";
// LiteLLM counts these in the escaped regex as its "complexity".
constexpr std::string_view kComplexity = "*+?\\^$|()";

}  // namespace

ModelPattern::ModelPattern(std::string_view pattern) : text_(pattern) {
  std::string regex;  // what LiteLLM compiles: re.escape(pattern) with '\*' -> '(.*)'
  std::size_t start = 0;
  for (std::size_t i = 0; i <= pattern.size(); ++i) {
    if (i == pattern.size() || pattern[i] == '*') {
      literals_.emplace_back(pattern.substr(start, i - start));
      start = i + 1;
    }
    if (i == pattern.size()) break;
    const char c = pattern[i];
    if (c == '*') {
      regex += "(.*)";
    } else {
      if (kEscaped.find(c) != kEscaped.npos) regex += '\\';
      regex += c;
    }
  }
  const auto complexity = static_cast<std::size_t>(std::count_if(
      regex.begin(), regex.end(), [](char c) { return kComplexity.find(c) != kComplexity.npos; }));
  specificity_ = {regex.size(), complexity};
}

bool ModelPattern::match(std::string_view name, std::vector<std::string_view>* segments) const {
  if (segments) segments->clear();
  if (name.size() > kMaxMatchedName || !name.starts_with(literals_.front())) return false;
  // Whether literals_[from..] occur in order at or after `pos` (no end anchor, as re.match).
  auto feasible = [&](std::size_t from, std::size_t pos) {
    for (std::size_t k = from; k < literals_.size(); ++k) {
      const auto at = name.find(literals_[k], pos);
      if (at == name.npos) return false;
      pos = at + literals_[k].size();
    }
    return true;
  };
  std::size_t pos = literals_.front().size();
  for (std::size_t i = 1; i < literals_.size(); ++i) {
    // The wildcard before literal i is greedy: the longest run after which the rest still fits.
    bool found = false;
    for (std::size_t end = name.size() + 1; end-- > pos;) {
      if (name.substr(end).starts_with(literals_[i]) &&
          feasible(i + 1, end + literals_[i].size())) {
        if (segments) segments->push_back(name.substr(pos, end - pos));
        pos = end + literals_[i].size();
        found = true;
        break;
      }
    }
    if (!found) return false;
  }
  return true;
}

std::string ModelPattern::fill(std::string_view model, std::string_view requested,
                               const std::vector<std::string_view>& segments) {
  const auto wildcards = static_cast<std::size_t>(std::count(model.begin(), model.end(), '*'));
  if (wildcards == 0) return std::string(model);
  if (segments.size() > wildcards) return std::string(requested);
  std::string out(model);
  for (std::string_view s : segments) {  // as str.replace("*", segment, 1), one at a time
    const auto star = out.find('*');
    if (star == std::string::npos) break;
    out.replace(star, 1, s);
  }
  return out;
}

}  // namespace fleetgate
