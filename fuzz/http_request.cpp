// The client request parser as read_request drives it: bytes arriving in pieces, the head
// vetted, the body appended, with the limits the server sets.
#include "http_feed.h"
#include "server/request_parser.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace fleetgate;
  const fuzz::Input in(data, size);
  Request req;
  RequestParser parser(req);
  if (!fuzz::feed_in_pieces(parser, in)) return 0;
  fuzz::require(req.body.size() <= (1u << 20));
  return 0;
}
