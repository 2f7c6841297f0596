// One client request in a dialect other than OpenAI's chat completions (Anthropic Messages,
// OpenAI Responses, Ollama's API), as the gateway carries it: the request translated to the
// internal form (OpenAI chat completions or embeddings), the client's own body for deployments
// that speak the dialect themselves (passed through with only the model replaced), and the way
// back — a whole answer, a stream's pieces as they come, an error — in the client's dialect.
// One front end per dialect (src/frontends/<dialect>_front.h) makes these. Pure.
#pragma once

#include "config/config.h"
#include "core/error.h"
#include "openai/api_kind.h"
#include "openai/dialect.h"
#include "openai/request_scan.h"
#include "openai/usage.h"

#include <boost/json/object.hpp>

#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace fleetgate {

// A Responses API answer kept for GET /v1/responses/{id} and previous_response_id.
struct StoredResponse {
  std::string id;
  std::int64_t created_ms = 0;
  std::string response;  // the response object, as GET returns it
  std::string messages;  // the conversation so far as chat messages (a JSON list)
};

// The stored conversation (StoredResponse::messages) of a response id, if it is kept.
using PreviousLookup = std::function<std::optional<std::string>(std::string_view id)>;

// A client's request as a front end gets it.
struct FrontInput {
  std::string_view path{};  // without the query
  std::string_view body{};
  std::string_view request_id{};  // for the ids the answer gives itself
  std::int64_t now = 0;           // Unix seconds, for `created`
  std::string_view anthropic_version{};
  std::string_view anthropic_beta{};
  const PreviousLookup* previous = nullptr;  // Responses' previous_response_id
};

class FrontCall {
 public:
  explicit FrontCall(Dialect d) : dialect_(d) {}
  virtual ~FrontCall() = default;
  FrontCall(const FrontCall&) = delete;
  FrontCall& operator=(const FrontCall&) = delete;

  Dialect dialect() const { return dialect_; }
  ApiKind kind = ApiKind::Chat;  // the internal request's endpoint
  std::string internal;          // the request as OpenAI's
  std::string original;          // the client's body (the gateway moves it here)
  std::string model;             // the model asked for
  bool stream = false;           // the client wants a stream (by its dialect's default)
  std::string dropped;  // what could not be forwarded, comma-separated (x-fleetgate-dropped)

  // Where the client's "model" string lies in `original` (quotes included): read when a
  // deployment that speaks the dialect first needs it, not on every request.
  std::optional<Span> original_model() const;

  // Where a deployment that speaks this dialect itself takes the client's body; nullopt when the
  // deployment gets the internal form.
  virtual std::optional<std::string> native_path(const Deployment& d) const;
  // Header lines ("Name: value\r\n") the native request adds.
  virtual std::string native_headers() const { return {}; }
  // The usage in a native answer, or in one event or line of a native stream.
  virtual std::optional<Usage> native_usage(std::string_view json) const;

  // A whole internal answer (2xx) as the client's body.
  virtual Result<std::string> answer(std::string_view internal_body) = 0;
  // A backend's error body (OpenAI's shape, or whatever it sent) in the client's shape.
  virtual std::string error_body(int status, std::string_view body) const = 0;
  // The client's status for a backend's error status (Anthropic's 529 for a 503).
  virtual int error_status(int status) const { return status; }

  // Streams: the content type, then the internal stream's bytes as they come (split anywhere)
  // into the client's, then its end; or a failure after the head went out.
  virtual std::string_view stream_type() const { return "text/event-stream"; }
  virtual void stream_feed(std::string_view internal_bytes, std::string& out) = 0;
  virtual void stream_end(std::string& out) = 0;
  virtual void stream_fail(const Error& e, std::string& out) = 0;
  // Whether the stream ended as it should (its last event came).
  virtual bool stream_complete() const = 0;
  // Why the backend's stream failed, when it said so in the stream; empty otherwise.
  const std::string& stream_error() const { return stream_error_; }
  // What to keep once the answer is complete (Responses with store); nullopt: nothing.
  virtual std::optional<StoredResponse> to_store() const { return std::nullopt; }
  // Tokens, once the answer or its stream said.
  const std::optional<Usage>& usage() const { return usage_; }

 protected:
  std::optional<Usage> usage_;
  std::string stream_error_;

 private:
  Dialect dialect_;
  mutable std::optional<std::optional<Span>> original_model_;  // once read
};

// The {"input_tokens", "output_tokens"} usage of an Anthropic or Responses body: at its top, or
// in its `nested` object (message_start's "message", response.completed's "response").
std::optional<Usage> input_output_usage(std::string_view json, std::string_view nested);

// Routes the internal request to `name` instead (Ollama's "name:latest" for a "name" served).
Result<void> rename_model(FrontCall& call, std::string_view name);

// Appends "name" to a comma-separated list (once).
void add_dropped(std::string& list, std::string_view name);

// The request's model (from its parsed body), or a BadRequest naming the field.
Result<void> take_model(FrontCall& call, const boost::json::object& body);

}  // namespace fleetgate
