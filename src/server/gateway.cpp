#include "server/gateway.h"

#include "core/json_escape.h"
#include "openai/error_json.h"
#include "openai/ndjson.h"
#include "openai/ollama.h"
#include "openai/request_scan.h"
#include "openai/sse.h"
#include "upstream/upstream_exchange.h"

#include <openssl/crypto.h>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/beast/http/verb.hpp>

#include <sys/socket.h>

#include <array>

#include <fmt/format.h>

namespace fleetgate {

namespace http = boost::beast::http;
using Clock = std::chrono::steady_clock;

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

// Watches the client socket while a stream runs: a client that hangs up aborts the backend
// request at once, even while the backend is silent. Shared so a late completion is harmless.
struct ClientGoneWatch {
  UpstreamExchange* exchange = nullptr;
  bool gone = false;
};

void watch_client(tcp::socket& socket, std::shared_ptr<ClientGoneWatch> state,
                  asio::cancellation_signal& stop) {
  socket.async_wait(tcp::socket::wait_read,
                    asio::bind_cancellation_slot(
                        stop.slot(), [&socket, state](const boost::system::error_code& ec) {
                          if (ec || !state->exchange) return;
                          char byte;
                          const auto n =
                              ::recv(socket.native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
                          if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)) {
                            state->gone = true;
                            state->exchange->abort();
                          }
                          // n > 0: the client pipelined its next request; it is still there.
                        }));
}

// Watches the client for as long as it lives; the shared state outlives a late completion.
class ClientWatchScope {
 public:
  ClientWatchScope(tcp::socket& socket, UpstreamExchange& exchange)
      : state_(std::make_shared<ClientGoneWatch>()) {
    state_->exchange = &exchange;
    watch_client(socket, state_, stop_);
  }
  ~ClientWatchScope() {
    state_->exchange = nullptr;
    stop_.emit(asio::cancellation_type::all);
  }
  ClientWatchScope(const ClientWatchScope&) = delete;
  ClientWatchScope& operator=(const ClientWatchScope&) = delete;
  const ClientGoneWatch& state() const { return *state_; }

 private:
  std::shared_ptr<ClientGoneWatch> state_;
  asio::cancellation_signal stop_;
};

}  // namespace

struct Gateway::Call {
  ClientConnection& conn;
  Request& req;
  ApiKind kind;
  DeploymentIndex index;
  const Deployment& deployment;
  RequestFields fields;
  AccessRecord& log;
  UpstreamExchange exchange;
  Clock::time_point deadline;
  Duration first_byte;
  Duration stream_gap;
  std::string_view extra_headers;  // the x-fleetgate-deployment line
  const ClientGoneWatch* gone =
      nullptr;  // set for streams: watched from before the request goes out
};

Gateway::Gateway(std::shared_ptr<const GatewayState> state, WorkerContext& worker,
                 asio::ssl::context& tls, AccessLog& access_log)
    : state_(std::move(state)),
      worker_(worker),
      pool_(worker.executor, worker.sweeper, tls, state_->backends,
            PoolSettings{state_->config.gateway.timeouts.connect,
                         state_->config.gateway.timeouts.upstream_idle,
                         state_->config.gateway.max_idle_upstream_per_backend}),
      access_log_(access_log, worker.executor),
      rng_(std::random_device{}()) {}

bool Gateway::authorized(const Request& req) const {
  const auto& key = state_->config.master_key;
  if (!key) return true;
  std::string_view given = req.authorization;
  if (given.size() < 7 || !boost::beast::iequals(given.substr(0, 7), "Bearer ")) return false;
  given.remove_prefix(7);
  // Constant time in the key's contents; only its length can leak.
  if (given.size() != key->size()) return CRYPTO_memcmp(key->data(), key->data(), key->size()) != 0;
  return CRYPTO_memcmp(given.data(), key->data(), key->size()) == 0;
}

namespace {

std::optional<ApiKind> api_kind_of(std::string_view path) {
  if (path.starts_with("/v1")) path.remove_prefix(3);
  if (path == "/chat/completions") return ApiKind::Chat;
  if (path == "/completions") return ApiKind::Completion;
  if (path == "/embeddings") return ApiKind::Embedding;
  return std::nullopt;
}

}  // namespace

// What the gateway answers itself, decided without suspending (keeps handle()'s frame small).
struct Gateway::LocalReply {
  std::optional<ApiKind> proxy;  // set: relay to a backend instead
  std::optional<Error> error;
  int status = 200;
  std::string_view body;
  std::string owned_body;
};

Gateway::LocalReply Gateway::answer(const Request& req) const {
  LocalReply r;
  const std::string_view path = req.path();
  const bool get = req.method == http::verb::get;
  const bool post = req.method == http::verb::post;
  auto unauthorized = [] {
    return Error(Errc::Unauthorized,
                 "Missing or invalid API key. Send 'Authorization: Bearer <key>'.");
  };
  if (auto kind = api_kind_of(path)) {
    if (!post)
      r.error = Error(Errc::MethodNotAllowed, "Use POST for " + std::string(path) + ".");
    else if (!authorized(req))
      r.error = unauthorized();
    else
      r.proxy = kind;
  } else if (path == "/v1/models" || path == "/models") {
    if (!get)
      r.error = Error(Errc::MethodNotAllowed, "Use GET for " + std::string(path) + ".");
    else if (!authorized(req))
      r.error = unauthorized();
    else
      r.body = state_->models_body;
  } else if (path.starts_with("/v1/models/")) {
    const std::string_view id = path.substr(11);
    if (!authorized(req)) {
      r.error = unauthorized();
    } else if (!state_->routes.candidates(id)) {
      r.error = Error(Errc::ModelNotFound, "The model '" + std::string(id) + "' does not exist.",
                      "model");
    } else {
      r.owned_body = "{\"id\":" + json_string(id) +
                     ",\"object\":\"model\",\"created\":" + std::to_string(state_->created) +
                     ",\"owned_by\":\"fleetgate\"}";
      r.body = r.owned_body;
    }
  } else if (path == "/health/liveliness" || path == "/health/liveness") {
    r.body = "\"I'm alive!\"";
  } else if (path == "/health/readiness") {
    r.status = worker_.draining ? 503 : 200;
    r.body = worker_.draining ? "{\"status\":\"draining\"}" : "{\"status\":\"healthy\"}";
  } else {
    r.error = Error(Errc::NotFound, "Unknown path " + std::string(path) + ".");
  }
  return r;
}

asio::awaitable<void> Gateway::handle(ClientConnection& conn, Request& req) {
  AccessRecord log;
  log.start = Clock::now();
  log.request_id = conn.request_id();
  const auto method_text = http::to_string(req.method);
  log.method = std::string_view(method_text.data(), method_text.size());
  log.path = req.path();
  {
    LocalReply reply = answer(req);
    if (reply.proxy)
      co_await proxy(conn, req, *reply.proxy, log);
    else if (reply.error)
      co_await conn.send_error(*reply.error);
    else
      co_await conn.send(reply.status, "application/json", reply.body);
  }
  log.status = conn.status();
  access_log_.write(log);
}

Result<Gateway::Routed> Gateway::route(const Request& req, ApiKind kind, AccessRecord& log) {
  auto scanned = scan_request(req.body);
  if (!scanned) return scanned.error();
  RequestFields& fields = *scanned;
  log.stream = fields.stream;
  if (!fields.model)
    return Error(Errc::BadRequest, "Missing required parameter: 'model' (a string).", "model");
  log.model = fields.model_name;
  const bool has_payload = kind == ApiKind::Chat         ? fields.has_messages
                           : kind == ApiKind::Completion ? fields.has_prompt
                                                         : fields.has_input;
  if (!has_payload) {
    const char* param = kind == ApiKind::Chat         ? "messages"
                        : kind == ApiKind::Completion ? "prompt"
                                                      : "input";
    return Error(Errc::BadRequest,
                 std::string("Missing required parameter: '") + param +
                     (kind == ApiKind::Chat ? "' (a list)." : "'."),
                 param);
  }
  const double random = std::uniform_real_distribution<double>(0.0, 1.0)(rng_);
  const auto picked = state_->routes.pick(fields.model_name, random);
  if (!picked) {
    return Error(Errc::ModelNotFound,
                 "The model '" + fields.model_name +
                     "' does not exist. GET /v1/models lists the models served here.",
                 "model");
  }
  return Routed{std::move(fields), *picked};
}

asio::awaitable<void> Gateway::proxy(ClientConnection& conn, Request& req, ApiKind kind,
                                     AccessRecord& log) {
  auto routed = route(req, kind, log);
  if (!routed) {
    co_await conn.send_error(routed.error());
    co_return;
  }
  const DeploymentIndex picked = routed->index;
  const Deployment& d = state_->config.deployments[picked];
  const Timeouts& t = state_->config.gateway.timeouts;
  const Duration whole = d.timeout.value_or(state_->config.router.timeout.value_or(t.request));
  Call call{conn,
            req,
            kind,
            picked,
            d,
            std::move(routed->fields),
            log,
            UpstreamExchange(pool_, state_->backend_of[picked], state_->labels[picked]),
            log.start + whole,
            {},
            {},
            state_->served_by[picked]};
  call.first_byte =
      std::min(whole, call.fields.stream ? d.stream_timeout.value_or(t.first_byte) : t.first_byte);
  call.stream_gap = d.stream_timeout.value_or(t.stream_idle);
  log.deployment = d.id;
  // A streaming client that hangs up aborts the backend at once, even before the first token
  // (a long prompt can take seconds). One small allocation per stream; none for plain requests.
  std::optional<ClientWatchScope> watching;
  if (call.fields.stream) {
    watching.emplace(conn.socket(), call.exchange);
    call.gone = &watching->state();
  }
  if (d.provider == Provider::Ollama || d.provider == Provider::OllamaChat)
    co_await relay_ollama(call);
  else
    co_await relay_openai(call);
  if (call.gone && call.gone->gone) {
    log.error = "client disconnected";
    conn.set_close();
  }
}

asio::awaitable<void> Gateway::relay_openai(Call& c) {
  const Url& url = c.deployment.api_base;  // base_path is the deployment's, not the host's
  const std::string& model = state_->model_json[c.index];
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
  const std::array<asio::const_buffer, 4> parts{
      asio::buffer(head), asio::buffer(body.substr(0, span.offset)), asio::buffer(model),
      asio::buffer(body.substr(span.offset + span.size))};

  auto started = co_await c.exchange.start(parts, c.first_byte);
  if (!started) {
    c.log.error = started.error().message;
    co_await c.conn.send_error(started.error(), c.extra_headers);
    co_return;
  }
  c.log.first_byte = Clock::now();
  const int status = c.exchange.status();
  if (c.fields.stream && status == 200 && is_event_stream(c.exchange.content_type())) {
    SseDecoder usage_finder;
    co_await relay_stream(
        c,
        [&](std::string_view in, std::string&) {
          usage_finder.feed(in, [&](const SseEvent& e) {
            if (e.data.find("\"usage\"") != std::string_view::npos) {
              if (auto u = scan_usage(e.data)) c.log.usage = u;
            }
          });
          return in;
        },
        [](std::string&) {});
    co_return;
  }
  auto read = co_await c.exchange.read_body(remaining(c.deadline));
  if (!read) {
    c.log.error = read.error().message;
    co_await c.conn.send_error(read.error(), c.extra_headers);
    co_return;
  }
  if (status >= 200 && status < 300) c.log.usage = scan_usage(c.exchange.body());
  const std::string_view ct = c.exchange.content_type();
  const asio::const_buffer out = asio::buffer(c.exchange.body());
  co_await c.conn.send(status,
                       ct.empty() ? std::string_view("application/json") : std::string_view(ct),
                       std::span(&out, 1), c.extra_headers);
}

asio::awaitable<void> Gateway::relay_ollama(Call& c) {
  const Deployment& d = c.deployment;
  auto translated = to_ollama_request(c.kind, d.provider, d.upstream_model, c.req.body);
  if (!translated) {
    co_await c.conn.send_error(translated.error(), c.extra_headers);
    co_return;
  }
  const Url& url = d.api_base;
  std::string head = "POST " + url.base_path + translated->path + " HTTP/1.1\r\n" +
                     state_->fixed_headers[c.index] +
                     "Content-Type: application/json\r\nContent-Length: " +
                     std::to_string(translated->body.size()) + "\r\n\r\n";
  const std::array<asio::const_buffer, 2> parts{asio::buffer(head), asio::buffer(translated->body)};
  auto started = co_await c.exchange.start(parts, c.first_byte);
  if (!started) {
    c.log.error = started.error().message;
    co_await c.conn.send_error(started.error(), c.extra_headers);
    co_return;
  }
  c.log.first_byte = Clock::now();
  const int status = c.exchange.status();
  ResponseMeta meta{
      std::string(c.kind == ApiKind::Chat ? "chatcmpl-" : "cmpl-") + c.conn.request_id(),
      std::chrono::duration_cast<std::chrono::seconds>(
          std::chrono::system_clock::now().time_since_epoch())
          .count(),
      c.fields.model_name, c.fields.include_usage};
  const bool ok = status >= 200 && status < 300;
  if (c.fields.stream && ok && c.kind != ApiKind::Embedding) {
    NdjsonDecoder lines;
    OllamaStreamTranslator translator(c.kind, std::move(meta));
    co_await relay_stream(
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
    co_return;
  }
  auto read = co_await c.exchange.read_body(remaining(c.deadline));
  if (!read) {
    c.log.error = read.error().message;
    co_await c.conn.send_error(read.error(), c.extra_headers);
    co_return;
  }
  if (!ok) {
    co_await c.conn.send(status, "application/json",
                         ollama_error_to_openai(status, c.exchange.body()), c.extra_headers);
    co_return;
  }
  auto response = from_ollama_response(c.kind, c.exchange.body(), meta);
  if (!response) {
    c.log.error = response.error().message;
    co_await c.conn.send_error(
        Error(response.error().code, c.deployment.id + ": " + response.error().message),
        c.extra_headers);
    co_return;
  }
  c.log.usage = response->usage;
  co_await c.conn.send(200, "application/json", response->body, c.extra_headers);
}

template <class Transform, class Finish>
asio::awaitable<void> Gateway::relay_stream(Call& c, Transform transform, Finish finish) {
  if (!co_await c.conn.start_stream(200, "text/event-stream", c.extra_headers)) {
    c.exchange.abort();
    co_return;
  }

  std::string out;
  while (true) {
    if (Clock::now() >= c.deadline) {
      c.exchange.abort();
      const Error e(Errc::UpstreamTimeout,
                    c.deployment.id + ": the stream did not finish within the request timeout");
      c.log.error = e.message;
      const std::string event = "data: " + render_error(e).body + "\n\n";
      if (co_await c.conn.send_chunk(event)) co_await c.conn.end_stream();
      c.conn.set_close();
      co_return;
    }
    auto more = co_await c.exchange.read_body_some(std::min(c.stream_gap, remaining(c.deadline)));
    if (c.gone && c.gone->gone) co_return;  // proxy() logs it
    if (!more) {
      // Bytes already reached the client, so the status is sent: end with an SSE error event.
      c.log.error = more.error().message;
      const std::string event = "data: " + render_error(more.error()).body + "\n\n";
      if (co_await c.conn.send_chunk(event)) co_await c.conn.end_stream();
      c.conn.set_close();
      co_return;
    }
    out.clear();
    if (!*more) {
      finish(out);
      if (!co_await c.conn.send_chunk(out) || !co_await c.conn.end_stream()) c.conn.set_close();
      co_return;
    }
    const std::string_view piece = transform(c.exchange.body(), out);
    if (!co_await c.conn.send_chunk(piece)) {
      c.log.error = "client disconnected";
      c.exchange.abort();
      c.conn.set_close();
      co_return;
    }
  }
}

}  // namespace fleetgate
