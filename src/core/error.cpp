#include "core/error.h"

#include <stdexcept>

namespace fleetgate {

std::string_view to_string(Errc code) {
  switch (code) {
    case Errc::BadRequest: return "bad_request";
    case Errc::Unauthorized: return "unauthorized";
    case Errc::Forbidden: return "forbidden";
    case Errc::NotFound: return "not_found";
    case Errc::MethodNotAllowed: return "method_not_allowed";
    case Errc::ModelNotFound: return "model_not_found";
    case Errc::PayloadTooLarge: return "payload_too_large";
    case Errc::UnsupportedMediaType: return "unsupported_media_type";
    case Errc::ClientTimeout: return "client_timeout";
    case Errc::UpstreamUnreachable: return "upstream_unreachable";
    case Errc::UpstreamTimeout: return "upstream_timeout";
    case Errc::UpstreamProtocol: return "upstream_protocol";
    case Errc::RateLimited: return "rate_limited";
    case Errc::NotImplemented: return "not_implemented";
    case Errc::Unavailable: return "unavailable";
    case Errc::ClientGone: return "client_gone";
    case Errc::Internal: return "internal";
  }
  return "internal";
}

}  // namespace fleetgate

namespace boost::system {
void throw_exception_from_error(const fleetgate::Error& e, const boost::source_location&) {
  throw std::runtime_error(std::string(fleetgate::to_string(e.code)) + ": " + e.message);
}
}  // namespace boost::system
