// One attempt at one deployment: the call's times and upstream model, then the relay that is
// the same for every provider (start, first byte, stream or read whole, answer); what differs
// is the deployment's ProviderAdapter (src/providers/).
#include "gateway/gateway_internal.h"

#include "core/json_escape.h"
#include "frontends/front_call.h"
#include "openai/backend_errors.h"
#include "providers/provider.h"
#include "providers/stream_relay.h"
#include "routing/upstream_model.h"

#include <chrono>

#include <spdlog/spdlog.h>

namespace fleetgate {

namespace {

// The rest of a streamed upload, read from the client as the backend takes it.
class ClientBody final : public BodySource {
 public:
  ClientBody(ClientConnection& conn, Request& req) : conn_(conn), req_(req) {}
  asio::awaitable<Result<std::string_view>> next() override { return conn_.read_body_some(req_); }

 private:
  ClientConnection& conn_;
  Request& req_;
};

}  // namespace

asio::awaitable<Gateway::Attempt> Gateway::attempt(ClientConnection& conn, Request& req,
                                                   ApiKind kind, const RequestFields& fields,
                                                   std::string_view model, DeploymentIndex index,
                                                   AccessRecord& log, ClientWatchScope* watching,
                                                   FrontCall* front) {
  const Deployment& d = state_->config.deployments[index];
  const Timeouts& t = state_->config.gateway.timeouts;
  const Duration whole = state_->whole_timeout[index];
  Call call{.conn = conn,
            .req = req,
            .kind = kind,
            .index = index,
            .deployment = d,
            .provider = *state_->provider[index],
            .fields = fields,
            .log = log,
            .exchange = UpstreamExchange(pool_, state_->backend_of[index], state_->labels[index]),
            .fixed_headers = state_->fixed_headers[index],
            .model_json = state_->model_json[index],
            .deadline = log.start + whole,
            .started = clock_.steady(),
            .clock = clock_};
  call.first_byte =
      std::min(whole, fields.stream ? d.stream_timeout.value_or(t.first_byte) : t.first_byte);
  call.first_byte = std::min(call.first_byte, remaining(call));
  call.stream_gap = d.stream_timeout.value_or(t.stream_idle);
  call.refuses_usage = &state_->refuses_usage_option[index];
  if (d.follows_request()) {
    call.upstream_model = upstream_model_for(d, model);
    call.upstream_json = json_string(call.upstream_model);
  }
  log.deployment = d.id;
  log.deployment_index = static_cast<int>(index);
  if (front) {
    call.front = front;
    call.native = front->native_path(d).has_value();
    if (!call.native && !front->dropped.empty()) {
      conn.add_response_header("x-fleetgate-dropped: ");
      conn.add_response_header(front->dropped);
      conn.add_response_header("\r\n");
    }
  }
  ClientBody rest(conn, req);
  if (conn.body_left() > 0) call.rest = &rest;
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
  co_return co_await relay(call);
}

namespace {

// An attempt that failed before the backend answered: retry elsewhere unless the client left.
Gateway::Attempt failed_before_answer(const Error& e) {
  Gateway::Attempt a = Gateway::Attempt::failed(e);
  // Abandoned, or the client's upload stalled: nothing to say about the backend.
  if (e.code == Errc::ClientGone || e.code == Errc::ClientTimeout) return a;
  a.retryable = true;
  a.health = Outcome::Failure;
  return a;
}

// Outside the relay's coroutine frame.
void refused_usage_option(Call& c) {
  if (!c.refuses_usage->exchange(true))
    spdlog::warn("{} refused stream_options; its streams are no longer asked for usage",
                 c.deployment.id);
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
  a.failure->native = c.native;
  return a;
}

void Gateway::note_first_byte(Call& c) {
  c.log.first_byte = clock_.steady();
  state_->health->record_ttfb(
      c.index, std::chrono::duration<double, std::milli>(*c.log.first_byte - c.started).count());
}

// Locals that outlive a co_await live in the coroutine frame; results are scoped in blocks so
// the frame stays small enough for Asio's recycling allocator (no malloc per request).
asio::awaitable<Gateway::Attempt> Gateway::relay(Call& c) {
  const ProviderAdapter& provider = c.native ? passthrough_adapter() : c.provider;
  // The client's request cannot be expressed for this provider: no other would do better.
  if (auto problem = provider.build_request(c)) co_return Attempt::failed(std::move(*problem));
  {
    auto started =
        co_await c.exchange.start(std::span(c.parts.data(), c.part_count), c.first_byte, c.rest);
    if (!started) co_return failed_before_answer(started.error());
  }
  note_first_byte(c);
  const int status = c.exchange.status();
  const bool ok = status >= 200 && status < 300;
  if (c.fields.stream && ok && provider.streams(c))
    co_return Attempt::streamed(co_await provider.stream(c));
  {
    auto read = co_await c.exchange.read_body(remaining(c));
    if (!read) co_return failed_before_answer(read.error());
  }
  if (!ok) {
    if (c.usage_injected && status == 400 &&
        c.exchange.body().find("stream_options") != std::string_view::npos) {
      // It does not take the option: never asked again, and this request goes again without.
      refused_usage_option(c);
      Attempt again;
      again.resend = true;
      co_return again;
    }
    BackendError e = provider.error(c, status);
    co_return backend_refused(c, status, std::move(e.body), e.content_type);
  }
  {
    auto answer = provider.whole(c);
    if (!answer) {  // a 2xx answer that cannot be read: a 502 naming the deployment
      co_return failed_before_answer(
          Error(answer.error().code, c.deployment.id + ": " + answer.error().message));
    }
    c.log.usage = answer->usage;
    if (c.front && !c.native) {  // back into the client's dialect
      auto theirs = c.front->answer(answer->body());
      if (!theirs)
        co_return failed_before_answer(
            Error(theirs.error().code, c.deployment.id + ": " + theirs.error().message));
      co_await c.conn.send(status, "application/json", *theirs);
      co_return Attempt::success();
    }
    co_await c.conn.send(status, answer->content_type, answer->body());
  }
  co_return Attempt::success();
}

}  // namespace fleetgate
