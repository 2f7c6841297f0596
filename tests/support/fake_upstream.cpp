#include "support/fake_upstream.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>

#include <thread>

namespace fleetgate::test {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;

namespace {

std::string chunk(const std::string& data) {
  char size[32];
  std::snprintf(size, sizeof size, "%zx\r\n", data.size());
  return size + data + "\r\n";
}

}  // namespace

FakeReply FakeReply::completion(const std::string& text) {
  boost::json::object message{{"role", "assistant"}, {"content", text}};
  boost::json::object choice{{"index", 0}, {"message", message}, {"finish_reason", "stop"}};
  boost::json::object body{
      {"id", "chatcmpl-fake"},
      {"object", "chat.completion"},
      {"created", 1},
      {"model", "m"},
      {"choices", boost::json::array{choice}},
      {"usage", {{"prompt_tokens", 3}, {"completion_tokens", 1}, {"total_tokens", 4}}}};
  FakeReply r;
  r.body = boost::json::serialize(body);
  return r;
}

FakeReply FakeReply::stream(std::vector<std::string> tokens) {
  FakeReply r;
  for (const auto& t : tokens) {
    boost::json::object delta{{"content", t}};
    boost::json::object choice{{"index", 0}, {"delta", delta}, {"finish_reason", nullptr}};
    r.events.push_back(
        boost::json::serialize(boost::json::object{{"id", "chatcmpl-fake"},
                                                   {"object", "chat.completion.chunk"},
                                                   {"model", "m"},
                                                   {"choices", boost::json::array{choice}}}));
  }
  r.events.push_back(
      R"({"id":"chatcmpl-fake","object":"chat.completion.chunk","model":"m","choices":[],)"
      R"("usage":{"prompt_tokens":3,"completion_tokens":)" +
      std::to_string(tokens.size()) + "," + R"("total_tokens":)" +
      std::to_string(3 + tokens.size()) + "}}");
  r.events.push_back("[DONE]");
  return r;
}

FakeReply FakeReply::error(int status, const std::string& message) {
  FakeReply r;
  r.status = status;
  r.body = boost::json::serialize(boost::json::object{
      {"error", {{"message", message}, {"type", "fake_error"}, {"code", status}}}});
  return r;
}

FakeReply FakeReply::connection_reset() {
  FakeReply r;
  r.reset = true;
  return r;
}

FakeReply FakeReply::hang_up() {
  FakeReply r;
  r.hang = true;
  return r;
}

struct FakeUpstream::Server {
  explicit Server(FakeUpstream& of)
      : owner(of), acceptor(ioc, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)) {}

  asio::awaitable<void> accept_loop() {
    while (true) {
      auto socket = co_await acceptor.async_accept(asio::use_awaitable);
      asio::co_spawn(ioc, session(std::move(socket)), asio::detached);
    }
  }

  asio::awaitable<void> pause(std::chrono::milliseconds d) {
    asio::steady_timer t(ioc, d);
    co_await t.async_wait(asio::use_awaitable);
  }

  asio::awaitable<void> session(tcp::socket socket) {
    boost::beast::flat_buffer buffer;
    while (true) {
      http::request<http::string_body> req;
      co_await http::async_read(socket, buffer, req, asio::use_awaitable);
      FakeRequest seen{std::string(req.method_string()), std::string(req.target()), {}, req.body()};
      for (const auto& f : req) {
        std::string name(f.name_string());
        for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        seen.headers[name] = std::string(f.value());
      }
      if (req.method() == http::verb::get) {  // the model list; nothing else (llama.cpp's /props)
        const std::string answer =
            req.target().ends_with("/models")
                ? models_response()
                : std::string("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n");
        co_await asio::async_write(socket, asio::buffer(answer), asio::use_awaitable);
        continue;
      }
      const FakeReply r = owner.next(seen);
      if (r.delay.count() > 0) co_await pause(r.delay);
      if (r.reset) {
        socket.set_option(asio::socket_base::linger(true, 0));
        co_return;  // the socket closes with a reset
      }
      if (r.hang) {
        co_await pause(std::chrono::hours(1));  // ends when the server stops
        co_return;
      }
      std::string head = "HTTP/1.1 " + std::to_string(r.status) + " Fake\r\n";
      for (const auto& [k, v] : r.headers) head += k + ": " + v + "\r\n";
      if (r.events.empty()) {
        head +=
            "Content-Type: application/json\r\nContent-Length: " + std::to_string(r.body.size()) +
            "\r\n\r\n" + r.body;
        co_await asio::async_write(socket, asio::buffer(head), asio::use_awaitable);
        continue;
      }
      head += "Content-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n";
      if (r.one_write) {
        for (const auto& e : r.events) head += chunk("data: " + e + "\n\n");
        head += "0\r\n\r\n";
        co_await asio::async_write(socket, asio::buffer(head), asio::use_awaitable);
        continue;
      }
      co_await asio::async_write(socket, asio::buffer(head), asio::use_awaitable);
      for (std::size_t i = 0; i < r.events.size(); ++i) {
        if (i == r.break_after) co_return;  // closes mid-stream, no last chunk
        if (i > 0 && r.gap.count() > 0) co_await pause(r.gap);
        const std::string c = chunk("data: " + r.events[i] + "\n\n");
        co_await asio::async_write(socket, asio::buffer(c), asio::use_awaitable);
      }
      co_await asio::async_write(socket, asio::buffer(std::string("0\r\n\r\n")),
                                 asio::use_awaitable);
    }
  }

  std::string models_response() {
    boost::json::array data;
    {
      std::lock_guard lock(owner.mutex_);
      for (const auto& m : owner.models_)
        data.push_back(boost::json::object{{"id", m}, {"object", "model"}});
    }
    const std::string body =
        boost::json::serialize(boost::json::object{{"object", "list"}, {"data", data}});
    return "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " +
           std::to_string(body.size()) + "\r\n\r\n" + body;
  }

  FakeUpstream& owner;
  asio::io_context ioc{1};
  tcp::acceptor acceptor;
  std::thread thread;
};

FakeUpstream::FakeUpstream(std::vector<std::string> models)
    : models_(std::move(models)), server_(std::make_unique<Server>(*this)) {
  port_ = server_->acceptor.local_endpoint().port();
  asio::co_spawn(
      server_->ioc, [s = server_.get()]() -> asio::awaitable<void> { co_await s->accept_loop(); },
      asio::detached);
  // A session's exception (the gateway closed its connection) ends only that session: detached
  // coroutines' exceptions go to their completion handler, which drops them.
  server_->thread = std::thread([s = server_.get()] { s->ioc.run(); });
}

FakeUpstream::~FakeUpstream() {
  server_->ioc.stop();
  server_->thread.join();
}

void FakeUpstream::then(FakeReply reply) {
  std::lock_guard lock(mutex_);
  script_.push_back(std::move(reply));
}

void FakeUpstream::always(FakeReply reply) {
  std::lock_guard lock(mutex_);
  default_ = std::make_unique<FakeReply>(std::move(reply));
}

void FakeUpstream::set_models(std::vector<std::string> models) {
  std::lock_guard lock(mutex_);
  models_ = std::move(models);
}

std::vector<FakeRequest> FakeUpstream::received() const {
  std::lock_guard lock(mutex_);
  return received_;
}

std::size_t FakeUpstream::count() const {
  std::lock_guard lock(mutex_);
  return received_.size();
}

FakeReply FakeUpstream::next(const FakeRequest& request) {
  std::lock_guard lock(mutex_);
  received_.push_back(request);
  if (!script_.empty()) {
    FakeReply r = std::move(script_.front());
    script_.pop_front();
    return r;
  }
  if (default_) return *default_;
  const bool stream = request.body.find("\"stream\":true") != std::string::npos;
  return stream ? FakeReply::stream({"a", "b", "c"}) : FakeReply::completion();
}

}  // namespace fleetgate::test
