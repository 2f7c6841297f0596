#include "upstream/upstream_pool.h"

#include "net/cloexec.h"
#include "net/io_token.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <openssl/ssl.h>

namespace fleetgate {

UpstreamPool::UpstreamPool(asio::any_io_executor ex, DeadlineSweeper& sweeper,
                           asio::ssl::context& tls, std::vector<Url> backends,
                           PoolSettings settings, const Clock& clock)
    : ex_(std::move(ex)),
      clock_(clock),
      sweeper_(sweeper),
      tls_(tls),
      backends_(std::move(backends)),
      settings_(settings),
      idle_(backends_.size()) {}

asio::awaitable<Result<std::unique_ptr<UpstreamConnection>>> UpstreamPool::acquire(
    BackendId backend, bool fresh) {
  auto& idle = idle_[backend];
  if (!fresh && !idle.empty()) {
    auto conn = std::move(idle.back());
    idle.pop_back();
    if (clock_.coarse() - conn->last_used < settings_.idle_timeout) co_return std::move(conn);
    idle.clear();  // the rest are older still
  }
  co_return co_await connect(backend);
}

std::string UpstreamPool::take_buffer() {
  if (spare_buffers_.empty()) return {};
  std::string b = std::move(spare_buffers_.back());
  spare_buffers_.pop_back();
  return b;
}

void UpstreamPool::give_back(std::string&& buffer) {
  // Keep a few ordinary-sized buffers; let big ones (a long completion) go.
  if (buffer.capacity() == 0 || buffer.capacity() > 256 * 1024 || spare_buffers_.size() >= 256)
    return;
  buffer.clear();
  spare_buffers_.push_back(std::move(buffer));
}

void UpstreamPool::release(BackendId backend, std::unique_ptr<UpstreamConnection> conn) {
  auto& idle = idle_[backend];
  if (idle.size() >= settings_.max_idle_per_backend) return;
  conn->watch().disarm();
  for (auto& s : conn->scratch)  // an odd stream's huge line does not stay resident
    if (s.capacity() > 64 * 1024) std::string().swap(s);
  conn->last_used = clock_.coarse();
  idle.push_back(std::move(conn));
}

asio::awaitable<Result<std::unique_ptr<UpstreamConnection>>> UpstreamPool::connect(
    BackendId backend) {
  const Url& url = backends_[backend];
  const std::string where = url.authority();

  // The deadline closes whatever socket is in flight; a resolver is cancelled the same way.
  tcp::resolver resolver(ex_);
  tcp::socket socket(ex_);
  bool timed_out = false;
  DeadlineWatch watch(sweeper_, [&] {
    timed_out = true;
    resolver.cancel();
    error_code ignored;
    socket.close(ignored);
  });
  watch.arm(settings_.connect_timeout);

  error_code ec;
  tcp::resolver::results_type endpoints;
  asio::ip::address literal = asio::ip::make_address(url.host, ec);
  const bool host_is_ip = !ec;
  if (host_is_ip) {
    endpoints = tcp::resolver::results_type::create(tcp::endpoint(literal, url.port), url.host,
                                                    std::to_string(url.port));
  } else {
    auto [rec, results] =
        co_await resolver.async_resolve(url.host, std::to_string(url.port), io_token());
    if (rec) {
      co_return Error(timed_out ? Errc::UpstreamTimeout : Errc::UpstreamUnreachable,
                      timed_out ? "resolving " + url.host + " took too long"
                                : "cannot resolve " + url.host + ": " + rec.message());
    }
    endpoints = std::move(results);
  }
  const error_code cec = co_await connect_cloexec(socket, endpoints, timed_out);
  if (cec || timed_out) {
    co_return Error(timed_out ? Errc::UpstreamTimeout : Errc::UpstreamUnreachable,
                    timed_out ? "connecting to " + where + " took longer than " +
                                    format_duration(settings_.connect_timeout)
                              : "cannot connect to " + where + ": " + cec.message());
  }
  socket.set_option(tcp::no_delay(true), ec);

  if (!url.tls) {
    watch.disarm();
    co_return std::make_unique<UpstreamConnection>(std::move(socket), sweeper_);
  }
  asio::ssl::stream<tcp::socket> stream(std::move(socket), tls_);
  // SNI carries host names only (RFC 6066); certificates for an IP are checked against its SAN.
  if (!host_is_ip) SSL_set_tlsext_host_name(stream.native_handle(), url.host.c_str());
  stream.set_verify_mode(asio::ssl::verify_peer);
  stream.set_verify_callback(asio::ssl::host_name_verification(url.host));
  // The handshake's deadline must close the stream's own socket now.
  bool handshake_timed_out = false;
  DeadlineWatch hs_watch(sweeper_, [&] {
    handshake_timed_out = true;
    error_code ignored;
    stream.next_layer().close(ignored);
  });
  watch.disarm();
  hs_watch.arm(settings_.connect_timeout);
  auto [hec] = co_await stream.async_handshake(asio::ssl::stream_base::client, io_token());
  hs_watch.disarm();
  if (hec || handshake_timed_out) {
    co_return Error(handshake_timed_out ? Errc::UpstreamTimeout : Errc::UpstreamUnreachable,
                    "TLS handshake with " + where + " failed: " +
                        (handshake_timed_out ? std::string("timed out") : hec.message()));
  }
  co_return std::make_unique<UpstreamConnection>(std::move(stream), sweeper_);
}

}  // namespace fleetgate
