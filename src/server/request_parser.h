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
    switch (name) {
      case field::authorization: req_.authorization.assign(value.data(), value.size()); break;
      case field::expect:
        req_.expect_continue = boost::beast::iequals(value, "100-continue");
        break;
      case field::host: req_.host.assign(value.data(), value.size()); break;
      case field::origin:
        req_.origin.assign(value.data(), value.size());
        req_.has_origin = true;
        break;
      case field::content_type: req_.content_type.assign(value.data(), value.size()); break;
      case field::sec_fetch_site:
        if (value.size() <= 32) req_.fetch_site.assign(value.data(), value.size());
        break;
      case field::unknown:
        if (boost::beast::iequals(name_text, "x-request-id")) {
          if (value.size() <= 128) req_.request_id.assign(value.data(), value.size());
        } else if (boost::beast::iequals(name_text, "x-api-key")) {
          req_.api_key.assign(value.data(), value.size());
        } else if (boost::beast::iequals(name_text, "anthropic-version")) {
          if (value.size() <= 64) req_.anthropic_version.assign(value.data(), value.size());
        } else if (boost::beast::iequals(name_text, "anthropic-beta")) {
          if (value.size() <= 1024) req_.anthropic_beta.assign(value.data(), value.size());
        }
        break;
      default: break;
    }
  }
  void on_header_impl(error_code&) override {
    req_.keep_alive = keep_alive();
    req_.chunked = chunked();
    if (const auto length = content_length()) req_.content_length = *length;
  }
  // The body's buffer comes once the head has passed its checks (BodyPool::lend): nothing is
  // set aside here for what a client only says it will send.
  void on_body_init_impl(const boost::optional<std::uint64_t>&, error_code&) override {}
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
