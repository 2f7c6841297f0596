// Beast parser callbacks for a backend's response: records the head fields the gateway needs and
// hands body bytes (de-chunked) to a sink, without building a message object.
#pragma once

#include "openai/backend_errors.h"

#include <boost/beast/http/basic_parser.hpp>

#include <algorithm>
#include <array>
#include <optional>
#include <string>

namespace fleetgate {

class ResponseParser : public boost::beast::http::basic_parser<false> {
 public:
  int status = 0;
  std::string_view content_type() const { return {content_type_.data(), content_type_size_}; }
  std::optional<std::uint64_t> content_length;
  std::optional<std::chrono::milliseconds> retry_after;  // Retry-After in seconds, when sent
  std::string* sink = nullptr;  // body bytes are appended here; set before the body arrives

 private:
  using error_code = boost::system::error_code;
  using string_view = boost::beast::string_view;

  void on_request_impl(boost::beast::http::verb, string_view, string_view, int,
                       error_code&) override {}
  void on_response_impl(int code, string_view, int, error_code&) override { status = code; }
  void on_field_impl(boost::beast::http::field name, string_view, string_view value,
                     error_code&) override {
    if (name == boost::beast::http::field::retry_after) retry_after = parse_retry_after(value);
    if (name == boost::beast::http::field::content_type) {
      content_type_size_ = std::min(value.size(), content_type_.size());  // enough for any real one
      value.copy(content_type_.data(), content_type_size_);
    }
  }
  void on_header_impl(error_code&) override {}
  void on_body_init_impl(const boost::optional<std::uint64_t>& length, error_code&) override {
    if (length) content_length = *length;
    if (length && sink && *length < (64u << 20)) sink->reserve(sink->size() + *length);
  }
  std::size_t on_body_impl(string_view body, error_code&) override {
    if (sink) sink->append(body.data(), body.size());
    return body.size();
  }
  void on_chunk_header_impl(std::uint64_t, string_view, error_code&) override {}
  std::size_t on_chunk_body_impl(std::uint64_t, string_view body, error_code&) override {
    if (sink) sink->append(body.data(), body.size());
    return body.size();
  }
  void on_finish_impl(error_code&) override {}

  std::array<char, 128> content_type_{};
  std::size_t content_type_size_ = 0;
};

}  // namespace fleetgate
