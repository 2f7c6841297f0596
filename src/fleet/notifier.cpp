#include "fleet/notifier.h"

#include "config/url.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include <fcntl.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <thread>
#include <vector>

extern char** environ;

namespace fleetgate {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

template <class Stream>
Result<void> exchange(Stream& stream, const Url& url, const std::string& target,
                      const std::string& payload) {
  http::request<http::string_body> req(http::verb::post, target, 11);
  req.set(http::field::host, url.authority());
  req.set(http::field::content_type, "application/json");
  req.set(http::field::user_agent, "fleetgate");
  req.keep_alive(false);
  req.body() = payload;
  req.prepare_payload();
  beast::error_code ec;
  http::write(stream, req, ec);
  if (ec) return Error(Errc::UpstreamUnreachable, "sending: " + ec.message());
  beast::flat_buffer buffer;
  http::response<http::string_body> res;
  http::read(stream, buffer, res, ec);
  if (ec) return Error(Errc::UpstreamProtocol, "reading the answer: " + ec.message());
  const unsigned status = res.result_int();
  if (status < 200 || status > 299)
    return Error(Errc::UpstreamProtocol, "answered " + std::to_string(status));
  return {};
}

// Blocking I/O on a socket whose every wait is bounded by SO_RCVTIMEO/SO_SNDTIMEO.
void set_io_timeout(tcp::socket& s, Duration timeout) {
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(timeout.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((timeout.count() % 1000) * 1000);
  ::setsockopt(s.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(s.native_handle(), SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

Result<void> post_webhook(const ReceiverSpec& r, const std::string& payload) {
  std::string problem;
  auto url = parse_url(*r.webhook, problem);
  if (!url) return Error(Errc::BadRequest, problem);
  const std::string target = url->base_path.empty() ? "/" : url->base_path;
  asio::io_context io;
  tcp::resolver resolver(io);
  beast::error_code ec;
  auto endpoints = resolver.resolve(url->host, std::to_string(url->port), ec);
  if (ec) return Error(Errc::UpstreamUnreachable, "resolving " + url->host + ": " + ec.message());
  // Connect with a deadline: async connect on the local io_context, run for at most `timeout`.
  tcp::socket socket(io);
  beast::error_code cec = asio::error::timed_out;
  asio::async_connect(socket, endpoints,
                      [&](const beast::error_code& e, const tcp::endpoint&) { cec = e; });
  io.run_for(r.timeout);
  if (!io.stopped()) {
    socket.close();
    io.run();
    return Error(Errc::UpstreamTimeout, "connecting: timed out");
  }
  if (cec) return Error(Errc::UpstreamUnreachable, "connecting: " + cec.message());
  set_io_timeout(socket, r.timeout);
  if (!url->tls) return exchange(socket, *url, target, payload);
  asio::ssl::context tls(asio::ssl::context::tls_client);
  tls.set_default_verify_paths();
  asio::ssl::stream<tcp::socket&> stream(socket, tls);
  boost::system::error_code ignored;
  const bool host_is_ip = !asio::ip::make_address(url->host, ignored).is_unspecified() && !ignored;
  if (!host_is_ip) SSL_set_tlsext_host_name(stream.native_handle(), url->host.c_str());
  stream.set_verify_mode(asio::ssl::verify_peer);
  stream.set_verify_callback(asio::ssl::host_name_verification(url->host));
  stream.handshake(asio::ssl::stream_base::client, ec);
  if (ec) return Error(Errc::UpstreamProtocol, "TLS handshake: " + ec.message());
  return exchange(stream, *url, target, payload);
}

Result<void> run_command(const ReceiverSpec& r, const std::string& payload) {
  int in[2];
  if (::pipe2(in, O_CLOEXEC) != 0) return Error(Errc::Internal, "pipe failed");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in[0], STDIN_FILENO);
  std::vector<char*> argv;
  for (const auto& a : r.exec) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  // The child starts with default signal handling (this process ignores SIGPIPE).
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t defaults;
  sigemptyset(&defaults);
  sigaddset(&defaults, SIGPIPE);
  posix_spawnattr_setsigdefault(&attr, &defaults);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF);
  pid_t pid = 0;
  const int rc = ::posix_spawnp(&pid, argv[0], &actions, &attr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  ::close(in[0]);
  if (rc != 0) {
    ::close(in[1]);
    return Error(Errc::UpstreamUnreachable,
                 "cannot run " + r.exec.front() + ": " + std::strerror(rc));
  }
  const auto deadline = std::chrono::steady_clock::now() + r.timeout;
  // Write the payload without blocking past the deadline (a command may not read its stdin).
  std::size_t written = 0;
  while (written < payload.size() && std::chrono::steady_clock::now() < deadline) {
    pollfd p{in[1], POLLOUT, 0};
    if (::poll(&p, 1, 50) <= 0) continue;
    const ssize_t n = ::write(in[1], payload.data() + written, payload.size() - written);
    if (n <= 0) break;
    written += static_cast<std::size_t>(n);
  }
  ::close(in[1]);
  int status = 0;
  for (;;) {
    const pid_t done = ::waitpid(pid, &status, WNOHANG);
    if (done == pid) break;
    if (std::chrono::steady_clock::now() >= deadline) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      return Error(Errc::UpstreamTimeout, r.exec.front() + " took longer than its timeout");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return {};
  if (WIFEXITED(status))
    return Error(Errc::UpstreamProtocol,
                 r.exec.front() + " exited with status " + std::to_string(WEXITSTATUS(status)));
  return Error(Errc::UpstreamProtocol, r.exec.front() + " was killed by a signal");
}

}  // namespace

Result<void> deliver(const ReceiverSpec& receiver, const std::string& payload) {
  if (receiver.webhook) return post_webhook(receiver, payload);
  return run_command(receiver, payload);
}

}  // namespace fleetgate
