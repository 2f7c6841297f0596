#include "openai/anthropic.h"

#include "core/checked_cast.h"

#include "core/json_escape.h"
#include "openai/error_json.h"

#include <boost/json.hpp>

namespace fleetgate {

namespace json = boost::json;

namespace {

constexpr std::uint64_t kDefaultMaxTokens = 4096;                // LiteLLM's default for Anthropic
constexpr std::uint64_t kMaxTokensCap = std::uint64_t{1} << 32;  // far past any model's output

std::string_view finish_of(std::string_view stop_reason) {
  if (stop_reason == "max_tokens") return "length";
  if (stop_reason == "tool_use") return "tool_calls";
  return "stop";  // end_turn, stop_sequence
}

// One OpenAI content part (or a plain string) as Anthropic content blocks.
Result<void> add_content(const json::value& content, json::array& blocks) {
  if (content.is_string()) {
    if (!content.as_string().empty())
      blocks.push_back(json::object{{"type", "text"}, {"text", content.as_string()}});
    return {};
  }
  if (!content.is_array()) return {};
  for (const auto& part : content.as_array()) {
    if (!part.is_object()) continue;
    const auto& p = part.as_object();
    const auto* type = p.if_contains("type");
    if (!type || !type->is_string()) continue;
    if (type->as_string() == "text") {
      if (const auto* t = p.if_contains("text"); t && t->is_string())
        blocks.push_back(json::object{{"type", "text"}, {"text", *t}});
    } else if (type->as_string() == "image_url") {
      const json::value* url = nullptr;
      if (const auto* iu = p.if_contains("image_url")) {
        if (iu->is_string())
          url = iu;
        else if (iu->is_object())
          url = iu->as_object().if_contains("url");
      }
      if (!url || !url->is_string()) continue;
      const std::string_view u = url->as_string();
      if (u.starts_with("data:")) {  // data:image/png;base64,....
        const auto semi = u.find(';');
        const auto comma = u.find(',');
        if (semi == std::string_view::npos || comma == std::string_view::npos || comma < semi)
          return Error(Errc::BadRequest,
                       "An image data URL must look like data:<type>;base64,<data>.", "messages");
        blocks.push_back(json::object{{"type", "image"},
                                      {"source", json::object{{"type", "base64"},
                                                              {"media_type", u.substr(5, semi - 5)},
                                                              {"data", u.substr(comma + 1)}}}});
      } else {
        blocks.push_back(
            json::object{{"type", "image"}, {"source", json::object{{"type", "url"}, {"url", u}}}});
      }
    }
  }
  return {};
}

// A token count a backend reported: whole, not negative, and small enough to add up.
std::uint64_t token_count(const json::value& v) {
  return clamp_to_integer<std::uint64_t>(v.to_number<double>(), 0, std::uint64_t{1} << 48);
}

}  // namespace

Result<std::string> to_anthropic_request(std::string_view model, std::string_view openai_body) {
  boost::system::error_code ec;
  json::value v = json::parse(openai_body, ec);
  if (ec || !v.is_object()) return Error(Errc::BadRequest, "The body is not a JSON object.");
  const auto& in = v.as_object();
  const auto* messages = in.if_contains("messages");
  if (!messages || !messages->is_array())
    return Error(Errc::BadRequest, "Missing required parameter: 'messages' (a list).", "messages");

  json::object out;
  out["model"] = model;
  std::string system;
  json::array turns;
  for (const auto& m : messages->as_array()) {
    if (!m.is_object()) continue;
    const auto& msg = m.as_object();
    const auto* role_v = msg.if_contains("role");
    if (!role_v || !role_v->is_string()) continue;
    const std::string_view role = role_v->as_string();
    const json::value* content = msg.if_contains("content");
    if (role == "system" || role == "developer") {
      json::array blocks;
      if (content) {
        if (auto r = add_content(*content, blocks); !r) return r.error();
      }
      for (const auto& b : blocks) {
        const auto* text = b.as_object().if_contains("text");
        if (!text || !text->is_string())  // an image: Anthropic's system prompt is text only
          return Error(Errc::BadRequest,
                       "A " + std::string(role) +
                           " message may hold only text for an anthropic/ deployment.",
                       "messages");
        if (!system.empty()) system += "\n\n";
        system += text->as_string();
      }
      continue;
    }
    json::array blocks;
    std::string anthropic_role = "user";
    if (role == "assistant") {
      anthropic_role = "assistant";
      if (content) {
        if (auto r = add_content(*content, blocks); !r) return r.error();
      }
      if (const auto* calls = msg.if_contains("tool_calls"); calls && calls->is_array()) {
        for (const auto& c : calls->as_array()) {
          if (!c.is_object()) continue;
          const auto* fn = c.as_object().if_contains("function");
          if (!fn || !fn->is_object()) continue;
          json::value input = json::object{};
          if (const auto* a = fn->as_object().if_contains("arguments"); a && a->is_string()) {
            boost::system::error_code aec;
            json::value parsed = json::parse(a->as_string(), aec);
            if (!aec && parsed.is_object()) input = std::move(parsed);
          }
          const auto* id = c.as_object().if_contains("id");
          const auto* name = fn->as_object().if_contains("name");
          blocks.push_back(json::object{{"type", "tool_use"},
                                        {"id", id ? *id : json::value("")},
                                        {"name", name ? *name : json::value("")},
                                        {"input", std::move(input)}});
        }
      }
    } else if (role == "tool") {
      const auto* id = msg.if_contains("tool_call_id");
      json::array result;
      if (content) {
        if (auto r = add_content(*content, result); !r) return r.error();
      }
      blocks.push_back(json::object{{"type", "tool_result"},
                                    {"tool_use_id", id ? *id : json::value("")},
                                    {"content", std::move(result)}});
    } else if (content) {
      if (auto r = add_content(*content, blocks); !r) return r.error();
    }
    if (blocks.empty()) continue;
    // Anthropic wants user and assistant to alternate: merge runs of one role.
    if (!turns.empty() && turns.back().as_object().at("role").as_string() == anthropic_role) {
      auto& prev = turns.back().as_object()["content"].as_array();
      for (auto& b : blocks) prev.push_back(std::move(b));
    } else {
      turns.push_back(json::object{{"role", anthropic_role}, {"content", std::move(blocks)}});
    }
  }
  if (turns.empty())
    return Error(Errc::BadRequest, "The conversation has no user or assistant messages.",
                 "messages");
  if (!system.empty()) out["system"] = system;
  out["messages"] = std::move(turns);

  std::uint64_t max_tokens = kDefaultMaxTokens;
  for (const char* key : {"max_tokens", "max_completion_tokens"})
    if (const auto* n = in.if_contains(key); n && n->is_number())
      max_tokens = clamp_to_integer<std::uint64_t>(n->to_number<double>(), 1, kMaxTokensCap);
  out["max_tokens"] = max_tokens;
  for (const char* key : {"temperature", "top_p", "top_k"})
    if (const auto* x = in.if_contains(key); x && x->is_number()) out[key] = *x;
  if (const auto* stop = in.if_contains("stop")) {
    if (stop->is_string())
      out["stop_sequences"] = json::array{*stop};
    else if (stop->is_array())
      out["stop_sequences"] = *stop;
  }
  if (const auto* s = in.if_contains("stream"); s && s->is_bool() && s->as_bool())
    out["stream"] = true;
  if (const auto* tools = in.if_contains("tools"); tools && tools->is_array()) {
    json::array converted;
    for (const auto& t : tools->as_array()) {
      if (!t.is_object()) continue;
      const auto* fn = t.as_object().if_contains("function");
      if (!fn || !fn->is_object()) continue;
      const auto& f = fn->as_object();
      json::object tool{{"name", f.contains("name") ? f.at("name") : json::value("")}};
      if (const auto* d = f.if_contains("description")) tool["description"] = *d;
      tool["input_schema"] = f.contains("parameters")
                                 ? f.at("parameters")
                                 : json::value(json::object{{"type", "object"}});
      converted.push_back(std::move(tool));
    }
    if (!converted.empty()) out["tools"] = std::move(converted);
  }
  if (const auto* user = in.if_contains("user"); user && user->is_string())
    out["metadata"] = json::object{{"user_id", *user}};
  return json::serialize(out);
}

Result<TranslatedResponse> from_anthropic_response(std::string_view body,
                                                   const ResponseMeta& meta) {
  boost::system::error_code ec;
  const json::value v = json::parse(body, ec);
  if (ec || !v.is_object())
    return Error(Errc::UpstreamProtocol, "the Anthropic backend sent a response that is not JSON");
  const auto& o = v.as_object();
  std::string text;
  json::array tool_calls;
  if (const auto* content = o.if_contains("content"); content && content->is_array()) {
    for (const auto& b : content->as_array()) {
      if (!b.is_object()) continue;
      const auto& block = b.as_object();
      const auto* type = block.if_contains("type");
      if (!type || !type->is_string()) continue;
      if (type->as_string() == "text") {
        if (const auto* t = block.if_contains("text"); t && t->is_string()) text += t->as_string();
      } else if (type->as_string() == "tool_use") {
        tool_calls.push_back(json::object{
            {"id", block.contains("id") ? block.at("id") : json::value("")},
            {"type", "function"},
            {"function",
             json::object{{"name", block.contains("name") ? block.at("name") : json::value("")},
                          {"arguments", block.contains("input") ? json::serialize(block.at("input"))
                                                                : std::string("{}")}}}});
      }
    }
  }
  TranslatedResponse result;
  if (const auto* u = o.if_contains("usage"); u && u->is_object()) {
    Usage usage;
    if (const auto* i = u->as_object().if_contains("input_tokens"); i && i->is_number())
      usage.prompt_tokens = token_count(*i);
    if (const auto* x = u->as_object().if_contains("output_tokens"); x && x->is_number())
      usage.completion_tokens = token_count(*x);
    result.usage = usage;
  }
  std::string_view stop = "end_turn";
  if (const auto* s = o.if_contains("stop_reason"); s && s->is_string()) stop = s->as_string();
  json::object message{{"role", "assistant"}, {"content", text}};
  if (!tool_calls.empty()) message["tool_calls"] = std::move(tool_calls);
  json::object out{{"id", meta.id},
                   {"object", "chat.completion"},
                   {"created", meta.created},
                   {"model", meta.model},
                   {"choices", json::array{json::object{{"index", 0},
                                                        {"message", std::move(message)},
                                                        {"finish_reason", finish_of(stop)}}}}};
  if (result.usage)
    out["usage"] = json::object{
        {"prompt_tokens", result.usage->prompt_tokens},
        {"completion_tokens", result.usage->completion_tokens},
        {"total_tokens", result.usage->prompt_tokens + result.usage->completion_tokens}};
  result.body = json::serialize(out);
  return result;
}

std::string anthropic_error_to_openai(int status, std::string_view body) {
  std::string message;
  std::string type;
  boost::system::error_code ec;
  const json::value v = json::parse(body, ec);
  if (!ec && v.is_object()) {
    if (const auto* e = v.as_object().if_contains("error"); e && e->is_object()) {
      if (const auto* m = e->as_object().if_contains("message"); m && m->is_string())
        message = m->as_string();
      if (const auto* t = e->as_object().if_contains("type"); t && t->is_string())
        type = t->as_string();
    }
  }
  if (message.empty()) message = std::string(body.substr(0, 512));
  if (message.empty())
    message = "the Anthropic backend answered with status " + std::to_string(status);
  const bool client_fault = status >= 400 && status < 500 && status != 429;
  return error_json(message, client_fault ? "invalid_request_error" : "api_error", "", type);
}

void AnthropicStreamTranslator::on_event(std::string_view event, std::string_view data,
                                         std::string& out) {
  if (done_ || failed_ || data.empty()) return;
  boost::system::error_code ec;
  const json::value v = json::parse(data, ec);
  if (ec || !v.is_object()) return;
  const auto& o = v.as_object();
  std::string_view type = event;
  if (const auto* t = o.if_contains("type"); t && t->is_string()) type = t->as_string();
  if (type == "message_start") {
    Usage u;
    if (const auto* m = o.if_contains("message"); m && m->is_object())
      if (const auto* usage = m->as_object().if_contains("usage"); usage && usage->is_object())
        if (const auto* i = usage->as_object().if_contains("input_tokens"); i && i->is_number())
          u.prompt_tokens = token_count(*i);
    usage_ = u;
    chunk(out, R"({"role":"assistant","content":""})", "");
  } else if (type == "content_block_delta") {
    const auto* delta = o.if_contains("delta");
    if (!delta || !delta->is_object()) return;
    const auto& d = delta->as_object();
    if (const auto* text = d.if_contains("text"); text && text->is_string()) {
      std::string delta_json = "{\"content\":";
      append_json_string(delta_json, text->as_string());
      delta_json += "}";
      chunk(out, delta_json, "");
    }
  } else if (type == "message_delta") {
    if (const auto* delta = o.if_contains("delta"); delta && delta->is_object())
      if (const auto* s = delta->as_object().if_contains("stop_reason"); s && s->is_string())
        stop_reason_ = s->as_string();
    if (const auto* usage = o.if_contains("usage"); usage && usage->is_object())
      if (const auto* x = usage->as_object().if_contains("output_tokens"); x && x->is_number()) {
        if (!usage_) usage_ = Usage{};
        usage_->completion_tokens = token_count(*x);
      }
  } else if (type == "message_stop") {
    chunk(out, "{}", finish_of(stop_reason_.empty() ? "end_turn" : stop_reason_));
    done_ = true;
  } else if (type == "error") {
    std::string message = "the Anthropic stream reported an error";
    if (const auto* e = o.if_contains("error"); e && e->is_object())
      if (const auto* m = e->as_object().if_contains("message"); m && m->is_string())
        message = m->as_string();
    append_sse_error(out, message, "upstream_error");
    error_ = "the Anthropic stream reported an error: " + message;
    failed_ = true;
  }
  // ping, content_block_start, content_block_stop: nothing to say.
}

void AnthropicStreamTranslator::finish(std::string& out) {
  if (failed_) return;
  if (!done_) {
    error_ = "the Anthropic stream ended before message_stop";
    append_sse_error(out, error_, "upstream_stream_truncated");
    return;
  }
  if (meta_.include_usage && usage_) append_usage_chunk(out, meta_, *usage_, true);
  out += "data: [DONE]\n\n";
}

}  // namespace fleetgate
