#include "openai/translation.h"

#include "core/json_escape.h"

namespace fleetgate {

namespace {

void append_head(std::string& out, const ResponseMeta& meta, bool chat) {
  out += "data: {\"id\":";
  append_json_string(out, meta.id);
  out += chat ? ",\"object\":\"chat.completion.chunk\",\"created\":"
              : ",\"object\":\"text_completion\",\"created\":";
  out += std::to_string(meta.created);
  out += ",\"model\":";
  append_json_string(out, meta.model);
}

// OpenAI's usage object.
std::string usage_object(const Usage& usage) {
  return "{\"prompt_tokens\":" + std::to_string(usage.prompt_tokens) +
         ",\"completion_tokens\":" + std::to_string(usage.completion_tokens) +
         ",\"total_tokens\":" + std::to_string(usage.prompt_tokens + usage.completion_tokens) + "}";
}

}  // namespace

void append_chunk(std::string& out, const ResponseMeta& meta, bool chat,
                  std::string_view delta_json, std::string_view finish_reason) {
  append_head(out, meta, chat);
  out += ",\"choices\":[{\"index\":0,";
  if (chat) {
    out += "\"delta\":";
    out += delta_json;
  } else {
    out += "\"text\":";
    out += delta_json;
    out += ",\"logprobs\":null";
  }
  out += ",\"finish_reason\":";
  if (finish_reason.empty())
    out += "null";
  else
    append_json_string(out, finish_reason);
  out += "}]}\n\n";
}

void append_usage_chunk(std::string& out, const ResponseMeta& meta, const Usage& usage, bool chat) {
  append_head(out, meta, chat);
  out += ",\"choices\":[],\"usage\":";
  out += usage_object(usage);
  out += "}\n\n";
}

}  // namespace fleetgate
