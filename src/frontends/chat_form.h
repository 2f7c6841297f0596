// The one internal form every client dialect is translated through: OpenAI's chat completion,
// read back as plain structs — a whole answer (ChatAnswer) or a stream's pieces, handed to a
// ChatStreamSink as they arrive, split anywhere. Pure.
#pragma once

#include "core/error.h"
#include "openai/sse.h"
#include "openai/usage.h"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace fleetgate {

struct ToolCall {
  std::string id;
  std::string name;
  std::string arguments;  // JSON text, as the backend wrote it
};

struct ChatAnswer {
  std::string text;
  std::vector<ToolCall> tool_calls;
  std::string finish_reason;  // "stop", "length", "tool_calls", "content_filter", or ""
  std::string stop_sequence;  // the stop string that ended it, when the backend says (vLLM)
  std::optional<Usage> usage;
};

// A chat.completion body (2xx) as a ChatAnswer.
Result<ChatAnswer> parse_chat_answer(std::string_view body);

// A tool call's arguments as a JSON object: the text as it is when it is one, else {}.
void append_object_text(std::string& out, std::string_view arguments);

// The message of an OpenAI-shaped error body ({"error": {"message"}} or {"error": "..."}), else
// the body itself (cut to 512 bytes), else a sentence naming the status.
std::string error_message_of(int status, std::string_view body);

// What a chat.completion.chunk stream says, in order.
class ChatStreamSink {
 public:
  virtual ~ChatStreamSink() = default;
  virtual void on_text(std::string_view delta) = 0;
  // A new tool call (index as the backend numbers them), then pieces of its arguments.
  virtual void on_tool_start(std::size_t index, std::string_view id, std::string_view name) = 0;
  virtual void on_tool_arguments(std::size_t index, std::string_view delta) = 0;
  virtual void on_finish(std::string_view reason, std::string_view stop_sequence) = 0;
  virtual void on_usage(const Usage& usage) = 0;
  // An error event in the stream (llama.cpp and vLLM send one after their 200).
  virtual void on_error(std::string_view message) = 0;
  virtual void on_done() = 0;  // data: [DONE]
};

// Reads OpenAI SSE bytes, split anywhere, into a sink.
class ChatStreamReader {
 public:
  void feed(std::string_view bytes, ChatStreamSink& sink);

 private:
  void event(std::string_view data, ChatStreamSink& sink);
  void event_dom(std::string_view data, ChatStreamSink& sink);  // for shapes scan_chat leaves

  SseDecoder sse_;
  std::vector<bool> started_;  // tool calls seen, by index
};

}  // namespace fleetgate
