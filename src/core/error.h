// Error vocabulary shared by every module: expected failures are values, not exceptions.
#pragma once

#include <boost/system/result.hpp>

#include <string>
#include <string_view>

namespace fleetgate {

enum class Errc {
  BadRequest,            // malformed JSON, missing field, bad header
  Unauthorized,          // missing or wrong API key
  Forbidden,             // a key that is valid, but not for this
  NotFound,              // unknown path
  MethodNotAllowed,      // known path, wrong method
  ModelNotFound,         // unknown model name
  PayloadTooLarge,       // body over the configured limit
  UnsupportedMediaType,  // a body that is not the JSON the endpoint takes
  ClientTimeout,         // client too slow to send its request
  UpstreamUnreachable,   // connect refused / reset / DNS failure
  UpstreamTimeout,       // a deadline passed while waiting on a backend
  UpstreamProtocol,      // backend answered with something that is not HTTP we understand
  RateLimited,           // every deployment of the model is at its limits
  NotImplemented,        // a feature the config asks for that this build lacks
  Unavailable,           // the gateway is draining, or cannot serve this now
  ClientGone,            // the client went away before its answer (nginx's 499)
  Internal,              // a bug: logged, answered with 500
};

struct Error {
  Errc code = Errc::Internal;
  std::string message;
  std::string param;  // the request field at fault, when there is one

  Error() = default;
  Error(Errc c, std::string msg, std::string p = {})
      : code(c), message(std::move(msg)), param(std::move(p)) {}
};

std::string_view to_string(Errc code);

template <class T>
using Result = boost::system::result<T, Error>;

}  // namespace fleetgate

namespace boost::system {
// boost::system::result calls this when value() is used on an error; it is a bug path.
[[noreturn]] void throw_exception_from_error(const fleetgate::Error& e,
                                             const boost::source_location& loc);
}  // namespace boost::system
