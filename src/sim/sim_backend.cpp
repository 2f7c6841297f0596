#include "sim/sim_backend.h"

#include "core/json_escape.h"
#include "openai/error_json.h"
#include "openai/request_scan.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/http/verb.hpp>

#include <spdlog/spdlog.h>

#include <sys/socket.h>

#include <algorithm>
#include <chrono>

namespace fleetgate {

namespace http = boost::beast::http;
using namespace asio::experimental::awaitable_operators;

SimBackend::SimBackend(const SimOptions& options, SimRecord& record, WorkerContext& worker)
    : options_(options),
      record_(record),
      worker_(worker),
      rng_(options.seed ? options.seed + worker.index : std::random_device{}()) {
  models_body_ = "{\"object\":\"list\",\"data\":[";
  tags_body_ = "{\"models\":[";
  for (std::size_t i = 0; i < options_.models.size(); ++i) {
    const std::string name = json_string(options_.models[i]);
    if (i) models_body_ += ',', tags_body_ += ',';
    models_body_ += "{\"id\":" + name + ",\"object\":\"model\",\"created\":0,\"owned_by\":\"sim\"}";
    tags_body_ += "{\"name\":" + name + ",\"model\":" + name +
                  ",\"modified_at\":\"2026-01-01T00:00:00Z\",\"size\":1000000,\"digest\":\"sim\","
                  "\"details\":{}}";
  }
  models_body_ += "]}";
  tags_body_ += "]}";
  if (!options_.model_path.empty()) {  // llama.cpp's single-model listing
    const std::string id =
        json_string(options_.models.empty() ? options_.model_path : options_.models.front());
    std::string aliases = "[";
    for (std::size_t i = 0; i < options_.models.size(); ++i)
      aliases += (i ? "," : "") + json_string(options_.models[i]);
    models_body_ = "{\"object\":\"list\",\"data\":[{\"id\":" + id + ",\"aliases\":" + aliases +
                   "],\"object\":\"model\",\"created\":0,\"owned_by\":\"llamacpp\"}]}";
    props_body_ = "{\"model_alias\":" + id + ",\"model_path\":" + json_string(options_.model_path) +
                  ",\"total_slots\":1}";
  }
}

std::string SimBackend::word(unsigned i) const {
  static constexpr std::string_view kWords[] = {"The",   "fleet",   "is",      "up", "and",
                                                "every", "backend", "answers", "in", "time."};
  return std::string(kWords[i % std::size(kWords)]) + " ";
}

asio::awaitable<bool> SimBackend::pause(ClientConnection& conn, Duration d) {
  if (d.count() <= 0) co_return true;
  // Sleep, but notice a client that hangs up meanwhile, as a real server aborting generation does.
  asio::steady_timer timer(worker_.executor, d);
  auto woke = co_await (
      timer.async_wait(asio::as_tuple(asio::use_awaitable)) ||
      conn.socket().async_wait(tcp::socket::wait_read, asio::as_tuple(asio::use_awaitable)));
  if (woke.index() == 0) co_return !std::get<0>(std::get<0>(woke));
  char byte;
  const auto n = ::recv(conn.socket().native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
  if (n > 0) {  // a pipelined request, not a hang-up: sleep out the rest
    auto [ec] = co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
    co_return !ec;
  }
  spdlog::info("sim: client hung up while request {} was in progress", conn.request_id());
  conn.set_close();
  co_return false;
}

asio::awaitable<void> SimBackend::handle(ClientConnection& conn, Request& req) {
  const std::string_view path = req.path();
  // Only model requests are recorded: a gateway's health probes must not hide them.
  if (req.method == http::verb::post) {
    std::lock_guard lock(record_.mutex);
    const auto m = http::to_string(req.method);
    record_.method.assign(m.data(), m.size());
    record_.target = req.target;
    record_.authorization = req.authorization;
    record_.request_id = req.request_id;
    record_.body = req.body;
    ++record_.count;
  }
  if (path == "/health") {
    if (options_.loading)  // llama.cpp's answer while it loads the model
      co_await conn.send(
          503, "application/json",
          R"({"error":{"code":503,"message":"Loading model","type":"unavailable_error"}})");
    else
      co_await conn.send(200, "application/json", "{\"status\":\"ok\"}");
  } else if (path == "/slots" && options_.slots > 0) {
    std::string body = "[";
    for (unsigned i = 0; i < options_.slots; ++i)
      body += (i ? "," : "") + std::string("{\"id\":") + std::to_string(i) +
              ",\"is_processing\":false}";
    co_await conn.send(200, "application/json", body + "]");
  } else if (path == "/v1/models") {
    co_await conn.send(200, "application/json", models_body_);
  } else if (path == "/props" && !props_body_.empty()) {
    co_await conn.send(200, "application/json", props_body_);
  } else if (path == "/api/tags") {
    co_await conn.send(200, "application/json", tags_body_);
  } else if (path == "/api/ps") {
    co_await conn.send(200, "application/json", tags_body_);
  } else if (path == "/sim/last") {
    std::string body;
    {
      std::lock_guard lock(record_.mutex);
      body = "{\"method\":" + json_string(record_.method) +
             ",\"target\":" + json_string(record_.target) +
             ",\"authorization\":" + json_string(record_.authorization) +
             ",\"request_id\":" + json_string(record_.request_id) +
             ",\"body\":" + json_string(record_.body) +
             ",\"count\":" + std::to_string(record_.count) + "}";
    }
    co_await conn.send(200, "application/json", body);
  } else if (is_media_path(path) && req.method == http::verb::post) {
    co_await media(conn, req, path);
  } else if (is_completion_path(path)) {
    if (req.method != http::verb::post)
      co_await conn.send_error(Error(Errc::MethodNotAllowed, "use POST"));
    else
      co_await completion(conn, req, path);
  } else {
    co_await conn.send_error(Error(Errc::NotFound, "sim: unknown path " + std::string(path)));
  }
}

}  // namespace fleetgate
