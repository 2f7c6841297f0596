// A TLS front for a plain loopback server, run on its own thread in the test process: accepts
// TLS on 127.0.0.1:0 with the given certificate and relays bytes to `backend_port`. Lets
// integration tests put `fleetgate sim` behind https://.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

namespace fleetgate::test {

class TlsTerminator {
 public:
  TlsTerminator(const std::string& cert_file, const std::string& key_file,
                std::uint16_t backend_port);
  ~TlsTerminator();
  std::uint16_t port() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Writes a self-signed certificate for localhost and 127.0.0.1 (openssl CLI) into `dir`;
// returns false when openssl failed.
bool make_self_signed_cert(const std::string& dir, std::string& cert_file, std::string& key_file);

}  // namespace fleetgate::test
