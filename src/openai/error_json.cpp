#include "openai/error_json.h"

#include "core/json_escape.h"

namespace fleetgate {

std::string error_json(std::string_view message, std::string_view type, std::string_view param,
                       std::string_view code) {
  std::string out = "{\"error\":{\"message\":";
  append_json_string(out, message);
  out += ",\"type\":";
  append_json_string(out, type);
  out += ",\"param\":";
  if (param.empty())
    out += "null";
  else
    append_json_string(out, param);
  out += ",\"code\":";
  if (code.empty())
    out += "null";
  else
    append_json_string(out, code);
  out += "}}";
  return out;
}

HttpError render_error(const Error& e) {
  struct Mapping {
    int status;
    std::string_view type;
    std::string_view code;
  };
  const Mapping m = [&]() -> Mapping {
    switch (e.code) {
      case Errc::BadRequest: return {400, "invalid_request_error", ""};
      case Errc::Unauthorized: return {401, "invalid_request_error", "invalid_api_key"};
      case Errc::Forbidden: return {403, "permission_error", "forbidden"};
      case Errc::NotFound: return {404, "invalid_request_error", "not_found"};
      case Errc::MethodNotAllowed: return {405, "invalid_request_error", "method_not_allowed"};
      case Errc::ModelNotFound: return {404, "invalid_request_error", "model_not_found"};
      case Errc::PayloadTooLarge: return {413, "invalid_request_error", "request_too_large"};
      case Errc::UnsupportedMediaType:
        return {415, "invalid_request_error", "unsupported_media_type"};
      case Errc::ClientTimeout: return {408, "invalid_request_error", "request_timeout"};
      case Errc::UpstreamUnreachable: return {502, "api_error", "upstream_unreachable"};
      case Errc::UpstreamTimeout: return {504, "api_error", "upstream_timeout"};
      case Errc::UpstreamProtocol: return {502, "api_error", "upstream_bad_response"};
      case Errc::RateLimited: return {429, "rate_limit_error", "rate_limit_exceeded"};
      case Errc::NotImplemented: return {501, "invalid_request_error", "not_implemented"};
      case Errc::Unavailable: return {503, "api_error", "unavailable"};
      case Errc::ClientGone: return {499, "invalid_request_error", "client_closed_request"};
      case Errc::Internal: return {500, "server_error", "internal_error"};
    }
    return {500, "server_error", "internal_error"};
  }();
  return {m.status, error_json(e.message, m.type, e.param, m.code)};
}

std::string_view anthropic_error_type(int status) {
  switch (status) {
    case 400: return "invalid_request_error";
    case 401: return "authentication_error";
    case 402: return "billing_error";
    case 403: return "permission_error";
    case 404: return "not_found_error";
    case 413: return "request_too_large";
    case 429: return "rate_limit_error";
    case 503:
    case 529: return "overloaded_error";
    case 504: return "timeout_error";
    default: return status >= 500 ? "api_error" : "invalid_request_error";
  }
}

std::string anthropic_error_json(std::string_view type, std::string_view message) {
  std::string out = "{\"type\":\"error\",\"error\":{\"type\":";
  append_json_string(out, type);
  out += ",\"message\":";
  append_json_string(out, message);
  out += "}}";
  return out;
}

std::string ollama_error_json(std::string_view message) {
  std::string out = "{\"error\":";
  append_json_string(out, message);
  out += '}';
  return out;
}

HttpError render_error(const Error& e, Dialect dialect) {
  switch (dialect) {
    case Dialect::OpenAI:
    case Dialect::Responses: return render_error(e);
    case Dialect::Anthropic: {
      int status = render_error(e).status;
      if (status == 503) status = 529;  // Anthropic's "overloaded": Claude Code retries it
      return {status, anthropic_error_json(anthropic_error_type(status), e.message)};
    }
    case Dialect::Ollama: return {render_error(e).status, ollama_error_json(e.message)};
  }
  return render_error(e);
}

void append_sse_error(std::string& out, std::string_view message, std::string_view code) {
  out += "data: ";
  out += error_json(message, "api_error", "", code);
  out += "\n\n";
}

void append_sse_error(std::string& out, const Error& e) {
  out += "data: ";
  out += render_error(e).body;
  out += "\n\n";
}

}  // namespace fleetgate
