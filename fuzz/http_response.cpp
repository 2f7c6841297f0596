// A backend's response as the upstream exchange reads it: split anywhere, chunked or not.
#include "http_feed.h"
#include "upstream/response_parser.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace fleetgate;
  const fuzz::Input in(data, size);
  ResponseParser parser;
  std::string body;
  parser.sink = &body;
  if (!fuzz::feed_in_pieces(parser, in)) return 0;
  fuzz::require(body.size() <= (1u << 20));
  return 0;
}
