#include "openai/ollama.h"

#include "core/json_escape.h"
#include "openai/error_json.h"

#include <boost/json.hpp>

#include <charconv>
#include <cmath>

namespace fleetgate {
namespace json = boost::json;
namespace {

Error bad_request(std::string msg, std::string param = {}) {
  return Error(Errc::BadRequest, std::move(msg), std::move(param));
}

// OpenAI content: a string, null, or a list of parts (text and image_url).
void translate_content(const json::value& content, json::object& out_msg) {
  if (content.is_string()) {
    out_msg["content"] = content.as_string();
    return;
  }
  std::string text;
  json::array images;
  if (content.is_array()) {
    for (const auto& part : content.as_array()) {
      if (!part.is_object()) continue;
      const auto& p = part.as_object();
      const auto* type = p.if_contains("type");
      if (type && type->is_string() && type->as_string() == "text") {
        if (const auto* t = p.if_contains("text"); t && t->is_string()) {
          if (!text.empty()) text += "\n";
          text += t->as_string();
        }
      } else if (type && type->is_string() && type->as_string() == "image_url") {
        const auto* iu = p.if_contains("image_url");
        const json::value* url = nullptr;
        if (iu && iu->is_object())
          url = iu->as_object().if_contains("url");
        else if (iu && iu->is_string())
          url = iu;
        if (url && url->is_string()) {
          std::string_view u = url->as_string();
          if (auto comma = u.find(";base64,");
              u.starts_with("data:") && comma != std::string_view::npos)
            u.remove_prefix(comma + 8);
          images.emplace_back(json::string(u));
        }
      }
    }
  }
  out_msg["content"] = text;
  if (!images.empty()) out_msg["images"] = std::move(images);
}

Result<json::array> translate_messages(const json::array& messages) {
  json::array out;
  for (const auto& m : messages) {
    if (!m.is_object()) return bad_request("each message must be an object", "messages");
    const auto& msg = m.as_object();
    const auto* role = msg.if_contains("role");
    if (!role || !role->is_string()) return bad_request("each message needs a role", "messages");
    json::object om;
    om["role"] = role->as_string();
    if (const auto* c = msg.if_contains("content"))
      translate_content(*c, om);
    else
      om["content"] = "";
    if (const auto* calls = msg.if_contains("tool_calls"); calls && calls->is_array()) {
      json::array oc;
      for (const auto& call : calls->as_array()) {
        const auto* fn = call.is_object() ? call.as_object().if_contains("function") : nullptr;
        if (!fn || !fn->is_object()) continue;
        json::object f;
        if (const auto* n = fn->as_object().if_contains("name")) f["name"] = *n;
        if (const auto* a = fn->as_object().if_contains("arguments")) {
          boost::system::error_code ec;
          json::value parsed = a->is_string() ? json::parse(a->as_string(), ec) : *a;
          f["arguments"] = ec ? json::value(json::object()) : parsed;
        }
        oc.emplace_back(json::object{{"function", std::move(f)}});
      }
      om["tool_calls"] = std::move(oc);
    }
    out.emplace_back(std::move(om));
  }
  return out;
}

std::string content_text(const json::value& content) {
  if (content.is_string()) return std::string(content.as_string());
  json::object tmp;
  translate_content(content, tmp);
  return std::string(tmp["content"].as_string());
}

// ollama/ (generate) takes one prompt: system messages go to `system`, the rest is a transcript.
void flatten_chat(const json::array& messages, json::object& out) {
  std::string system, prompt;
  std::size_t turns = 0;
  for (const auto& m : messages) {
    if (!m.is_object()) continue;
    const auto& msg = m.as_object();
    const auto* role = msg.if_contains("role");
    const auto* content = msg.if_contains("content");
    if (!role || !role->is_string() || !content) continue;
    const std::string text = content_text(*content);
    if (role->as_string() == "system") {
      if (!system.empty()) system += "\n";
      system += text;
    } else {
      ++turns;
      prompt += role->as_string() == "assistant" ? "Assistant: " : "User: ";
      prompt += text;
      prompt += "\n";
    }
  }
  if (turns == 1) {  // a single user turn needs no transcript markers
    prompt = prompt.substr(prompt.find(": ") + 2);
    prompt.pop_back();
  } else if (turns > 1) {
    prompt += "Assistant:";
  }
  if (!system.empty()) out["system"] = system;
  out["prompt"] = prompt;
}

}  // namespace

Result<OllamaRequest> to_ollama_request(ApiKind kind, Provider provider, std::string_view model,
                                        std::string_view openai_body) {
  boost::system::error_code ec;
  json::value v = json::parse(openai_body, ec);
  if (ec || !v.is_object()) return bad_request("the body must be a JSON object");
  const auto& in = v.as_object();
  json::object out;
  out["model"] = model;

  if (kind == ApiKind::Embedding) {
    const auto* input = in.if_contains("input");
    if (!input) return bad_request("'input' is required", "input");
    out["input"] = *input;
    return OllamaRequest{"/api/embed", json::serialize(out)};
  }

  const auto* stream = in.if_contains("stream");
  out["stream"] = stream && stream->is_bool() && stream->as_bool();
  json::object options;
  for (const char* key : {"temperature", "top_p", "top_k", "seed", "presence_penalty",
                          "frequency_penalty", "repeat_penalty", "num_ctx"}) {
    if (const auto* o = in.if_contains(key); o && !o->is_null()) options[key] = *o;
  }
  for (const char* key : {"max_tokens", "max_completion_tokens"}) {
    if (const auto* o = in.if_contains(key); o && !o->is_null()) options["num_predict"] = *o;
  }
  if (const auto* stop = in.if_contains("stop"); stop && !stop->is_null()) {
    options["stop"] = stop->is_string() ? json::value(json::array{*stop}) : *stop;
  }
  if (!options.empty()) out["options"] = std::move(options);
  if (const auto* rf = in.if_contains("response_format"); rf && rf->is_object()) {
    const auto& f = rf->as_object();
    const auto* type = f.if_contains("type");
    if (type && type->is_string() && type->as_string() == "json_object") {
      out["format"] = "json";
    } else if (type && type->is_string() && type->as_string() == "json_schema") {
      const auto* js = f.if_contains("json_schema");
      const auto* schema = js && js->is_object() ? js->as_object().if_contains("schema") : nullptr;
      if (schema) out["format"] = *schema;
    }
  }

  if (kind == ApiKind::Completion) {
    const auto* prompt = in.if_contains("prompt");
    if (!prompt) return bad_request("'prompt' is required", "prompt");
    if (prompt->is_array()) {
      const auto& arr = prompt->as_array();
      if (arr.size() != 1 || !arr[0].is_string())
        return bad_request("Ollama backends take a single prompt string", "prompt");
      out["prompt"] = arr[0];
    } else if (prompt->is_string()) {
      out["prompt"] = *prompt;
    } else {
      return bad_request("'prompt' must be a string", "prompt");
    }
    if (const auto* suffix = in.if_contains("suffix"); suffix && suffix->is_string())
      out["suffix"] = *suffix;
    return OllamaRequest{"/api/generate", json::serialize(out)};
  }

  const auto* messages = in.if_contains("messages");
  if (!messages || !messages->is_array())
    return bad_request("'messages' must be a list", "messages");
  if (provider == Provider::OllamaChat) {
    auto translated = translate_messages(messages->as_array());
    if (!translated) return translated.error();
    out["messages"] = std::move(*translated);
    if (const auto* tools = in.if_contains("tools"); tools && tools->is_array())
      out["tools"] = *tools;
    return OllamaRequest{"/api/chat", json::serialize(out)};
  }
  flatten_chat(messages->as_array(), out);
  return OllamaRequest{"/api/generate", json::serialize(out)};
}

}  // namespace fleetgate
