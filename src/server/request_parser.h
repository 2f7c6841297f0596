// Beast parser callbacks that fill a Request directly: no message object, no per-field allocation.
#pragma once

#include "server/request.h"

#include <boost/beast/core/string.hpp>
#include <boost/beast/http/basic_parser.hpp>

namespace fleetgate {

class RequestParser : public boost::beast::http::basic_parser<true> {
 public:
  explicit RequestParser(Request& req) : req_(req) {}

 private:
  using error_code = boost::system::error_code;
  using string_view = boost::beast::string_view;
  using field = boost::beast::http::field;

  void on_request_impl(boost::beast::http::verb method, string_view, string_view target,
                       int version, error_code&) override {
    req_.method = method;
    req_.target.assign(target.data(), target.size());
    req_.version = static_cast<unsigned>(version);
  }
  void on_response_impl(int, string_view, int, error_code&) override {}
  void on_field_impl(field name, string_view name_text, string_view value, error_code&) override {
    if (name == field::authorization) {
      req_.authorization.assign(value.data(), value.size());
    } else if (name == field::expect) {
      req_.expect_continue = boost::beast::iequals(value, "100-continue");
    } else if (name == field::unknown && boost::beast::iequals(name_text, "x-request-id")) {
      if (value.size() <= 128) req_.request_id.assign(value.data(), value.size());
    }
  }
  void on_header_impl(error_code&) override { req_.keep_alive = keep_alive(); }
  void on_body_init_impl(const boost::optional<std::uint64_t>& length, error_code&) override {
    if (length) req_.body.reserve(static_cast<std::size_t>(*length));
  }
  std::size_t on_body_impl(string_view body, error_code&) override {
    req_.body.append(body.data(), body.size());
    return body.size();
  }
  void on_chunk_header_impl(std::uint64_t, string_view, error_code&) override {}
  std::size_t on_chunk_body_impl(std::uint64_t, string_view body, error_code&) override {
    req_.body.append(body.data(), body.size());
    return body.size();
  }
  void on_finish_impl(error_code&) override {}

  Request& req_;
};

}  // namespace fleetgate
