// Shared by the HTTP parser targets: bytes arriving in pieces, fed to a Beast parser as the
// server's and the upstream exchange's read loops feed it.
#pragma once

#include "fuzz_input.h"
#include "net/chunked_guard.h"

#include <boost/asio/buffer.hpp>
#include <boost/beast/http/error.hpp>

#include <string>

namespace fleetgate::fuzz {

// The limits the server sets, then every piece of `in`; false when the parser refused the bytes.
template <class Parser>
bool feed_in_pieces(Parser& parser, const Input& in) {
  parser.eager(true);
  parser.header_limit(64 * 1024);
  parser.body_limit(1 << 20);
  std::string buffer;  // what is received and not consumed yet
  for (std::string_view piece : pieces(in.bytes, in.choice)) {
    buffer.append(piece);
    // Beast 1.81 asserts on a short final chunk: held back as the real loops hold it back.
    while (!buffer.empty() && !parser.is_done() && chunked_put_is_safe(parser, buffer.size())) {
      boost::system::error_code ec;
      const std::size_t used = parser.put(boost::asio::buffer(buffer), ec);
      buffer.erase(0, used);
      if (ec == boost::beast::http::error::need_more) break;
      if (ec) return false;
      if (used == 0) break;
    }
    if (parser.is_done()) break;
  }
  return true;
}

}  // namespace fleetgate::fuzz
