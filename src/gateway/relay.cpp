#include "gateway/gateway_internal.h"

#include "control/agent_channel.h"
#include "core/json_escape.h"
#include "core/text_forms.h"
#include "openai/anthropic.h"
#include "openai/backend_errors.h"
#include "openai/error_json.h"
#include "openai/ndjson.h"
#include "openai/ollama.h"
#include "openai/request_scan.h"
#include "openai/sse.h"
#include "routing/auto_router.h"
#include "routing/balancer.h"
#include "routing/client_retry.h"
#include "routing/fallback_chain.h"
#include "routing/upstream_model.h"

#include <openssl/crypto.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/http/verb.hpp>
#include <boost/container/static_vector.hpp>

#include <sys/socket.h>

#include <array>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace fleetgate {

namespace http = boost::beast::http;

namespace {

Duration remaining(Clock::time_point deadline) {
  return std::max(Duration(1), std::chrono::duration_cast<Duration>(deadline - Clock::now()));
}

bool is_event_stream(std::string_view content_type) {
  return content_type.starts_with("text/event-stream");
}

std::string_view endpoint_path(ApiKind kind) {
  switch (kind) {
    case ApiKind::Chat: return "/chat/completions";
    case ApiKind::Completion: return "/completions";
    case ApiKind::Embedding: return "/embeddings";
  }
  return "/chat/completions";
}

}  // namespace

asio::awaitable<Gateway::Attempt> Gateway::attempt(ClientConnection& conn, Request& req,
                                                   ApiKind kind, const RequestFields& fields,
                                                   std::string_view model, DeploymentIndex index,
                                                   AccessRecord& log, ClientWatchScope* watching) {
  const Deployment& d = state_->config.deployments[index];
  const Timeouts& t = state_->config.gateway.timeouts;
  const Duration whole = state_->whole_timeout[index];
  Call call{conn,
            req,
            kind,
            index,
            d,
            fields,
            log,
            UpstreamExchange(pool_, state_->backend_of[index], state_->labels[index]),
            log.start + whole,
            Clock::now(),
            {},
            {},
            nullptr,
            {},
            0,
            {},
            {}};
  call.first_byte =
      std::min(whole, fields.stream ? d.stream_timeout.value_or(t.first_byte) : t.first_byte);
  call.first_byte = std::min(call.first_byte, remaining(call.deadline));
  call.stream_gap = d.stream_timeout.value_or(t.stream_idle);
  if (d.follows_request()) {
    call.upstream_model = upstream_model_for(d, model);
    call.upstream_json = json_string(call.upstream_model);
  }
  log.deployment = d.id;
  log.deployment_index = static_cast<int>(index);
  if (watching) {
    watching->watch(&call.exchange);
    call.watching = watching;
  }
  struct Unwatch {
    ClientWatchScope* w;
    ~Unwatch() {
      if (w) w->watch(nullptr);
    }
  } unwatch{watching};
  if (d.provider == Provider::Anthropic) co_return co_await relay_anthropic(call);
  if (d.provider == Provider::Ollama || d.provider == Provider::OllamaChat)
    co_return co_await relay_ollama(call);
  co_return co_await relay_openai(call);
}

namespace {

// An attempt that failed before the backend answered: retry elsewhere unless the client left.
Gateway::Attempt failed_before_answer(const Error& e) {
  Gateway::Attempt a = Gateway::Attempt::failed(e);
  if (e.code == Errc::Unavailable) return a;  // abandoned: the client is gone
  a.retryable = true;
  a.health = Outcome::Failure;
  return a;
}

}  // namespace

Gateway::Attempt Gateway::backend_refused(Call& c, int status, std::string body,
                                          std::string_view content_type) {
  // The backend answered with an error and nothing reached the client yet.
  Attempt a;
  a.context_window = is_context_window_error(status, body);
  if (status == 429) {
    a.health = Outcome::RateLimited;
    a.retry_after = c.exchange.retry_after();
    a.retryable = true;
  } else if (status >= 500 && !a.context_window) {
    a.health = Outcome::Failure;
    a.retryable = true;
  } else if (is_model_refused(status, body)) {
    // The backend does not have the model (drift with evidence): another deployment may.
    a.health = Outcome::Failure;
    a.retryable = true;
  } else {
    a.health = Outcome::Success;  // the deployment works; the request was the problem
  }
  a.failure = std::make_unique<Failure>();
  a.failure->status = status;
  a.failure->body = std::move(body);
  a.failure->content_type = content_type.empty() ? "application/json" : content_type;
  return a;
}

void Gateway::build_openai_request(Call& c) {
  const Url& url = c.deployment.api_base;  // base_path is the deployment's, not the host's
  const std::string& model =
      c.upstream_json.empty() ? state_->model_json[c.index] : c.upstream_json;
  const Span span = *c.fields.model;
  const std::string_view body = c.req.body;
  std::string& head = c.exchange.head();
  head += "POST ";
  head += url.base_path;
  head += endpoint_path(c.kind);
  head += " HTTP/1.1\r\n";
  head += state_->fixed_headers[c.index];
  head += "Content-Type: application/json\r\nContent-Length: ";
  fmt::format_to(std::back_inserter(head), "{}", body.size() - span.size + model.size());
  head += "\r\nx-request-id: ";
  head += c.conn.request_id();
  head += c.fields.stream ? "\r\nAccept: text/event-stream\r\n\r\n" : "\r\n\r\n";
  // Only the model value changes; every other byte of the client's body goes out untouched.
  c.parts = {asio::buffer(head), asio::buffer(body.substr(0, span.offset)), asio::buffer(model),
             asio::buffer(body.substr(span.offset + span.size))};
  c.part_count = 4;
}

void Gateway::build_translated_request(Call& c, const std::string& path, const std::string& body) {
  std::string& head = c.exchange.head();
  head = "POST " + path + " HTTP/1.1\r\n" + state_->fixed_headers[c.index] +
         "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
         "\r\n\r\n";
  c.parts = {asio::buffer(head), asio::buffer(body)};  // `body` lives in the relay's frame
  c.part_count = 2;
}

void Gateway::note_first_byte(Call& c) {
  c.log.first_byte = Clock::now();
  state_->health->record_ttfb(
      c.index, std::chrono::duration<double, std::milli>(*c.log.first_byte - c.started).count());
}

// How a translated (Ollama, Anthropic) response describes itself to the OpenAI client.
ResponseMeta Gateway::response_meta(const Call& c) const {
  return ResponseMeta{
      std::string(c.kind == ApiKind::Chat ? "chatcmpl-" : "cmpl-") + c.conn.request_id(),
      std::chrono::duration_cast<std::chrono::seconds>(
          std::chrono::system_clock::now().time_since_epoch())
          .count(),
      c.fields.model_name, c.fields.include_usage};
}

// Locals that outlive a co_await live in the coroutine frame; results are scoped in blocks so
// the frame stays small enough for Asio's recycling allocator (no malloc per request).
asio::awaitable<Gateway::Attempt> Gateway::relay_openai(Call& c) {
  build_openai_request(c);
  {
    auto started = co_await c.exchange.start(std::span(c.parts.data(), c.part_count), c.first_byte);
    if (!started) co_return failed_before_answer(started.error());
  }
  note_first_byte(c);
  const int status = c.exchange.status();
  const bool ok = status >= 200 && status < 300;
  if (c.fields.stream && ok && is_event_stream(c.exchange.content_type()))
    co_return Attempt::streamed(co_await stream_openai(c));
  {
    auto read = co_await c.exchange.read_body(remaining(c.deadline));
    if (!read) co_return failed_before_answer(read.error());
  }
  if (!ok) co_return backend_refused(c, status, c.exchange.body(), c.exchange.content_type());
  c.log.usage = scan_usage(c.exchange.body());
  const std::string_view ct = c.exchange.content_type();
  co_await c.conn.send(status, ct.empty() ? std::string_view("application/json") : ct,
                       c.exchange.body());
  co_return Attempt::success();
}

asio::awaitable<bool> Gateway::stream_openai(Call& c) {
  SseDecoder events;
  bool failed = false;  // the backend sent an error event after its 200 (llama.cpp, vLLM do)
  const bool finished = co_await relay_stream(
      c,
      [&](std::string_view in, std::string&) {
        events.feed(in, [&](const SseEvent& e) {
          if (e.data.find("\"usage\"") != std::string_view::npos) {
            if (auto u = scan_usage(e.data)) c.log.usage = u;
          }
          if (!failed && e.data.find("\"error\"") != std::string_view::npos) {
            if (auto message = stream_error_message(e.data)) {
              failed = true;
              c.log.error = c.deployment.id + " sent an error in its stream: " + *message;
            }
          }
        });
        return in;
      },
      [](std::string&) {});
  co_return finished && !failed;
}

// A backend's 2xx answer translated to OpenAI's format, or a 502 naming the deployment when it
// could not be read.
asio::awaitable<Gateway::Attempt> Gateway::send_translated(Call& c,
                                                           Result<TranslatedResponse> response) {
  if (!response) {
    co_return failed_before_answer(
        Error(response.error().code, c.deployment.id + ": " + response.error().message));
  }
  c.log.usage = response->usage;
  co_await c.conn.send(200, "application/json", response->body);
  co_return Attempt::success();
}

asio::awaitable<Gateway::Attempt> Gateway::relay_ollama(Call& c) {
  const Deployment& d = c.deployment;
  auto translated = to_ollama_request(c.kind, d.provider, c.model(), c.req.body);
  // The client's request cannot be expressed for Ollama: no other deployment would do better.
  if (!translated) co_return Attempt::failed(translated.error());
  build_translated_request(c, d.api_base.base_path + translated->path, translated->body);
  {
    auto started = co_await c.exchange.start(std::span(c.parts.data(), c.part_count), c.first_byte);
    if (!started) co_return failed_before_answer(started.error());
  }
  note_first_byte(c);
  const int status = c.exchange.status();
  const bool ok = status >= 200 && status < 300;
  ResponseMeta meta = response_meta(c);
  if (c.fields.stream && ok && c.kind != ApiKind::Embedding)
    co_return Attempt::streamed(co_await stream_ollama(c, std::move(meta)));
  {
    auto read = co_await c.exchange.read_body(remaining(c.deadline));
    if (!read) co_return failed_before_answer(read.error());
  }
  if (!ok)
    co_return backend_refused(c, status, ollama_error_to_openai(status, c.exchange.body()), "");
  co_return co_await send_translated(c, from_ollama_response(c.kind, c.exchange.body(), meta));
}

asio::awaitable<Gateway::Attempt> Gateway::relay_anthropic(Call& c) {
  if (c.kind != ApiKind::Chat)
    co_return Attempt::failed(
        Error(Errc::NotImplemented, "The anthropic/ provider serves chat completions only."));
  auto translated = to_anthropic_request(c.model(), c.req.body);
  if (!translated) co_return Attempt::failed(translated.error());
  const std::string& base = c.deployment.api_base.base_path;  // "" or "/v1"
  build_translated_request(c, base + (base.ends_with("/v1") ? "/messages" : "/v1/messages"),
                           *translated);
  {
    auto started = co_await c.exchange.start(std::span(c.parts.data(), c.part_count), c.first_byte);
    if (!started) co_return failed_before_answer(started.error());
  }
  note_first_byte(c);
  const int status = c.exchange.status();
  const bool ok = status >= 200 && status < 300;
  ResponseMeta meta = response_meta(c);
  if (c.fields.stream && ok && is_event_stream(c.exchange.content_type()))
    co_return Attempt::streamed(co_await stream_anthropic(c, std::move(meta)));
  {
    auto read = co_await c.exchange.read_body(remaining(c.deadline));
    if (!read) co_return failed_before_answer(read.error());
  }
  if (!ok)
    co_return backend_refused(c, status, anthropic_error_to_openai(status, c.exchange.body()), "");
  co_return co_await send_translated(c, from_anthropic_response(c.exchange.body(), meta));
}

asio::awaitable<bool> Gateway::stream_anthropic(Call& c, ResponseMeta meta) {
  SseDecoder events;
  AnthropicStreamTranslator translator(std::move(meta));
  const bool finished = co_await relay_stream(
      c,
      [&](std::string_view in, std::string& out) {
        events.feed(in, [&](const SseEvent& e) { translator.on_event(e.event, e.data, out); });
        return std::string_view(out);
      },
      [&](std::string& out) { translator.finish(out); });
  c.log.usage = translator.usage();
  if (!translator.error().empty()) c.log.error = c.deployment.id + ": " + translator.error();
  co_return finished&& translator.done();
}

asio::awaitable<bool> Gateway::stream_ollama(Call& c, ResponseMeta meta) {
  NdjsonDecoder lines;
  OllamaStreamTranslator translator(c.kind, std::move(meta));
  const bool finished = co_await relay_stream(
      c,
      [&](std::string_view in, std::string& out) {
        lines.feed(in, [&](std::string_view line) { translator.on_line(line, out); });
        return std::string_view(out);
      },
      [&](std::string& out) {
        lines.finish([&](std::string_view line) { translator.on_line(line, out); });
        translator.finish(out);
      });
  c.log.usage = translator.usage();
  if (!translator.error().empty()) c.log.error = c.deployment.id + ": " + translator.error();
  co_return finished&& translator.done();
}

template <class Transform, class Finish>
asio::awaitable<bool> Gateway::relay_stream(Call& c, Transform transform, Finish finish) {
  if (!co_await c.conn.start_stream(200, "text/event-stream")) {
    c.exchange.abort();
    c.log.error = "client disconnected";
    co_return true;  // not the backend's fault
  }
  std::string out;
  while (true) {
    if (Clock::now() >= c.deadline) {
      c.exchange.abort();
      const Error e(Errc::UpstreamTimeout,
                    c.deployment.id + ": the stream did not finish within the request timeout");
      c.log.error = e.message;
      c.log.stream_status = 504;
      std::string event;
      append_sse_error(event, e);
      if (co_await c.conn.send_chunk(event)) co_await c.conn.end_stream();
      c.conn.set_close();
      co_return false;
    }
    auto more = co_await c.exchange.read_body_some(std::min(c.stream_gap, remaining(c.deadline)));
    if (c.watching && c.watching->gone()) {
      c.log.error = "client disconnected";
      c.conn.set_close();
      co_return true;
    }
    if (!more) {
      // Bytes already reached the client, so the status is sent: end with an SSE error event.
      c.log.error = more.error().message;
      c.log.stream_status = more.error().code == Errc::UpstreamTimeout ? 504 : 502;
      std::string event;
      append_sse_error(event, more.error());
      if (co_await c.conn.send_chunk(event)) co_await c.conn.end_stream();
      c.conn.set_close();
      co_return false;
    }
    out.clear();
    if (!*more) {
      finish(out);
      if (!co_await c.conn.send_chunk(out) || !co_await c.conn.end_stream()) c.conn.set_close();
      co_return true;
    }
    const std::string_view piece = transform(c.exchange.body(), out);
    if (!co_await c.conn.send_chunk(piece)) {
      c.log.error = "client disconnected";
      c.exchange.abort();
      c.conn.set_close();
      co_return true;
    }
  }
}

}  // namespace fleetgate
