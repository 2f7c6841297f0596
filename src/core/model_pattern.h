// A wildcard model name as LiteLLM's pattern router reads it ("*", "claude-*", "openai/*"):
// each '*' matches any run of characters, greedily, and the pattern must match from the start of
// the requested name (Python's re.match on re.escape(pattern) with '*' as '(.*)'). Pure.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace fleetgate {

class ModelPattern {
 public:
  explicit ModelPattern(std::string_view pattern);

  static bool is_pattern(std::string_view name) { return name.find('*') != name.npos; }

  // True when `name` matches; `segments` gets what each '*' matched, in order.
  bool match(std::string_view name, std::vector<std::string_view>* segments = nullptr) const;

  // LiteLLM's order among patterns: the longer regex first, then the one with more regex
  // metacharacters. Higher is more specific.
  std::pair<std::size_t, std::size_t> specificity() const { return specificity_; }
  const std::string& text() const { return text_; }

  // LiteLLM's litellm_params.model for a matched request: a model without '*' as is; otherwise
  // each '*' replaced by the next segment; the requested name itself when there are more
  // segments than wildcards in `model`.
  static std::string fill(std::string_view model, std::string_view requested,
                          const std::vector<std::string_view>& segments);

 private:
  bool match_from(std::size_t part, std::string_view rest,
                  std::vector<std::string_view>* segments) const;

  std::string text_;
  std::vector<std::string> literals_;  // the text between wildcards: stars = literals_.size() - 1
  std::pair<std::size_t, std::size_t> specificity_;
};

}  // namespace fleetgate
