#include "support/tls_terminator.h"

#include "support/child_process.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <array>
#include <thread>

namespace fleetgate::test {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using namespace asio::experimental::awaitable_operators;

namespace {

template <class From, class To>
asio::awaitable<void> pipe(From& from, To& to) {
  std::array<char, 16 * 1024> buf;
  while (true) {
    auto [ec, n] =
        co_await from.async_read_some(asio::buffer(buf), asio::as_tuple(asio::use_awaitable));
    if (ec || n == 0) co_return;
    auto [wec, w] = co_await asio::async_write(to, asio::buffer(buf.data(), n),
                                               asio::as_tuple(asio::use_awaitable));
    if (wec) co_return;
  }
}

asio::awaitable<void> relay(asio::ssl::stream<tcp::socket> client, std::uint16_t backend_port) {
  auto [hec] = co_await client.async_handshake(asio::ssl::stream_base::server,
                                               asio::as_tuple(asio::use_awaitable));
  if (hec) co_return;
  tcp::socket backend(client.get_executor());
  auto [cec] = co_await backend.async_connect(
      tcp::endpoint(asio::ip::make_address("127.0.0.1"), backend_port),
      asio::as_tuple(asio::use_awaitable));
  if (cec) co_return;
  // Either direction ending ends both.
  co_await (pipe(client, backend) || pipe(backend, client));
}

}  // namespace

struct TlsTerminator::Impl {
  asio::io_context ioc{1};
  asio::ssl::context tls{asio::ssl::context::tls_server};
  tcp::acceptor acceptor{ioc};
  std::thread thread;
};

TlsTerminator::TlsTerminator(const std::string& cert_file, const std::string& key_file,
                             std::uint16_t backend_port)
    : impl_(std::make_unique<Impl>()) {
  impl_->tls.use_certificate_chain_file(cert_file);
  impl_->tls.use_private_key_file(key_file, asio::ssl::context::pem);
  const tcp::endpoint ep(asio::ip::make_address("127.0.0.1"), 0);
  impl_->acceptor.open(ep.protocol());
  impl_->acceptor.bind(ep);
  impl_->acceptor.listen();
  asio::co_spawn(
      impl_->ioc,
      [impl = impl_.get(), backend_port]() -> asio::awaitable<void> {
        while (true) {
          auto [ec, socket] =
              co_await impl->acceptor.async_accept(asio::as_tuple(asio::use_awaitable));
          if (ec) co_return;
          asio::co_spawn(
              impl->ioc,
              relay(asio::ssl::stream<tcp::socket>(std::move(socket), impl->tls), backend_port),
              asio::detached);
        }
      },
      asio::detached);
  impl_->thread = std::thread([impl = impl_.get()] { impl->ioc.run(); });
}

TlsTerminator::~TlsTerminator() {
  impl_->ioc.stop();
  impl_->thread.join();
}

std::uint16_t TlsTerminator::port() const { return impl_->acceptor.local_endpoint().port(); }

bool make_self_signed_cert(const std::string& dir, std::string& cert_file, std::string& key_file) {
  cert_file = dir + "/cert.pem";
  key_file = dir + "/key.pem";
  ChildProcess openssl({"/usr/bin/openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                        "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2", "-subj",
                        "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
                        "-keyout", key_file, "-out", cert_file});
  return openssl.wait_exit(std::chrono::seconds(20)) == 0;
}

}  // namespace fleetgate::test
