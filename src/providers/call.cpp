#include "providers/call.h"

#include "providers/provider.h"

#include <chrono>

namespace fleetgate {

ResponseMeta Call::response_meta() const {
  return ResponseMeta{
      std::string(kind == ApiKind::Chat ? "chatcmpl-" : "cmpl-") + std::string(conn.request_id()),
      std::chrono::duration_cast<std::chrono::seconds>(clock.wall().time_since_epoch()).count(),
      fields.model_name, fields.include_usage};
}

void Call::set_translated_request(const std::string& path) {
  const std::string& body = translated_body;
  std::string& head = exchange.head();
  head = "POST " + path + " HTTP/1.1\r\n";
  head += fixed_headers;
  head += "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
          "\r\n\r\n";
  parts = {asio::buffer(head), asio::buffer(body)};
  part_count = 2;
}

}  // namespace fleetgate
