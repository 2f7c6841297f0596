#include "routing/auto_router.h"

#include "core/checked_cast.h"

#include <boost/json.hpp>

#include <algorithm>
#include <cctype>

namespace fleetgate {

namespace json = boost::json;

namespace {

constexpr std::uint64_t kMaxCount = std::uint64_t{1} << 48;  // a bound on counts read from JSON

void add_text(const json::value& content, std::string& all, std::uint64_t& chars) {
  if (content.is_string()) {
    const auto& s = content.as_string();
    chars += s.size();
    all.append(s.data(), s.size());
    all += '\n';
  } else if (content.is_array()) {  // [{type: text, text: ...}, {type: image_url, ...}]
    for (const auto& part : content.as_array())
      if (part.is_object())
        if (const auto* t = part.as_object().if_contains("text")) add_text(*t, all, chars);
  }
}

}  // namespace

RequestTraits read_traits(std::string_view body) {
  RequestTraits t;
  boost::system::error_code ec;
  const json::value v = json::parse(body, ec);
  if (ec || !v.is_object()) return t;
  const auto& o = v.as_object();
  std::string all;
  std::uint64_t chars = 0;
  if (const auto* messages = o.if_contains("messages"); messages && messages->is_array()) {
    t.turns = messages->as_array().size();
    for (const auto& m : messages->as_array()) {
      if (!m.is_object()) continue;
      std::string text;
      if (const auto* c = m.as_object().if_contains("content")) add_text(*c, text, chars);
      const auto* role = m.as_object().if_contains("role");
      if (role && role->is_string() && role->as_string() == "user") t.text += text;
      all += text;
    }
  } else if (const auto* prompt = o.if_contains("prompt")) {
    add_text(*prompt, all, chars);
    t.text = all;
    t.turns = 1;
  }
  t.prompt_tokens = chars / 4;
  t.code = all.find("```") != std::string::npos;
  for (const char* key : {"max_tokens", "max_completion_tokens"})
    if (const auto* n = o.if_contains(key); n && n->is_number())
      t.max_tokens = std::max(
          t.max_tokens, clamp_to_integer<std::uint64_t>(n->to_number<double>(), 0, kMaxCount));
  for (const char* key : {"tools", "functions"})
    if (const auto* a = o.if_contains(key); a && a->is_array() && !a->as_array().empty())
      t.tools = true;
  if (const auto* rf = o.if_contains("response_format"); rf && rf->is_object())
    if (const auto* type = rf->as_object().if_contains("type");
        type && type->is_string() && type->as_string() == "json_schema")
      t.tools = true;
  std::transform(t.text.begin(), t.text.end(), t.text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return t;
}

RouteDecision decide(const AutoRouter& router, const RequestTraits& traits) {
  RouteDecision best{0, "default"};
  bool fired = false;
  for (const AutoRule& rule : router.rules) {
    std::string reason;
    switch (rule.kind) {
      case AutoRule::Kind::PromptTokens:
        if (traits.prompt_tokens > rule.over) reason = "prompt_tokens>" + std::to_string(rule.over);
        break;
      case AutoRule::Kind::MaxTokens:
        if (traits.max_tokens > rule.over) reason = "max_tokens>" + std::to_string(rule.over);
        break;
      case AutoRule::Kind::Code:
        if (traits.code) reason = "code";
        break;
      case AutoRule::Kind::Tools:
        if (traits.tools) reason = "tools";
        break;
      case AutoRule::Kind::Turns:
        if (traits.turns > rule.over) reason = "turns>" + std::to_string(rule.over);
        break;
      case AutoRule::Kind::Keywords:
        for (const auto& k : rule.any)
          if (!k.empty() && traits.text.find(k) != std::string::npos) {
            reason = "keyword:" + k;
            break;
          }
        break;
    }
    if (!reason.empty() && (!fired || rule.tier > best.tier)) {
      best = {rule.tier, std::move(reason)};
      fired = true;
    }
  }
  return best;
}

}  // namespace fleetgate
