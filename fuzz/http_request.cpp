// The client request parser as read_request drives it: bytes arriving in pieces, the head
// vetted, the body appended, with the limits the server sets.
#include "fuzz_input.h"
#include "net/chunked_guard.h"
#include "server/request_parser.h"

#include <boost/beast/http/error.hpp>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace fleetgate;
  const fuzz::Input in(data, size);
  Request req;
  RequestParser parser(req);
  parser.eager(true);
  parser.header_limit(64 * 1024);
  parser.body_limit(1 << 20);
  std::string buffer;  // what is received and not consumed yet
  for (std::string_view piece : fuzz::pieces(in.bytes, in.choice)) {
    buffer.append(piece);
    // As the server and the upstream exchange do: Beast 1.81 asserts on a short final chunk.
    while (!buffer.empty() && !parser.is_done() && chunked_put_is_safe(parser, buffer.size())) {
      boost::system::error_code ec;
      const std::size_t used = parser.put(boost::asio::buffer(buffer), ec);
      buffer.erase(0, used);
      if (ec == boost::beast::http::error::need_more) break;
      if (ec) return 0;
      if (used == 0) break;
    }
    if (parser.is_done()) break;
  }
  fuzz::require(req.body.size() <= (1u << 20));
  return 0;
}
