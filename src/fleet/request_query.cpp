#include "fleet/request_query.h"

#include "core/json_escape.h"
#include "core/units.h"
#include "core/wall_time.h"

#include <fmt/format.h>
#include <cctype>
#include <charconv>

namespace fleetgate {

namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::optional<std::string> percent_decode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out += ' ';
    } else if (s[i] == '%') {
      if (i + 2 >= s.size()) return std::nullopt;
      const int hi = hex_value(s[i + 1]), lo = hex_value(s[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      out += static_cast<char>(hi * 16 + lo);
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

bool parse_int(std::string_view s, long long& v) {
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  return ec == std::errc() && end == s.data() + s.size();
}

}  // namespace

Result<RequestQuery> parse_request_query(std::string_view query, std::int64_t now_ms) {
  RequestQuery q;
  q.since_ms = now_ms - 3'600'000;
  while (!query.empty()) {
    const auto amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    query.remove_prefix(amp == std::string_view::npos ? query.size() : amp + 1);
    if (pair.empty()) continue;
    const auto eq = pair.find('=');
    const std::string_view key = pair.substr(0, eq);
    const auto value = percent_decode(eq == std::string_view::npos ? "" : pair.substr(eq + 1));
    const std::string name(key);
    if (!value) return Error(Errc::BadRequest, "'" + name + "': bad percent-encoding.", name);
    long long n = 0;
    if (key == "since") {
      const auto d = parse_duration(*value);
      if (!d || d->count() <= 0)
        return Error(Errc::BadRequest, "'since' must be a duration such as 15m, 1h or 7d.", name);
      q.since_ms = now_ms - std::chrono::duration_cast<std::chrono::milliseconds>(*d).count();
    } else if (key == "failed") {
      q.failed = *value != "0" && *value != "false";
    } else if (key == "model") {
      q.model = *value;
    } else if (key == "deployment") {
      q.deployment = *value;
    } else if (key == "status") {
      if (!parse_int(*value, n) || n < 100 || n > 599)
        return Error(Errc::BadRequest, "'status' must be an HTTP status (100-599).", name);
      q.status = static_cast<int>(n);
    } else if (key == "limit") {
      if (!parse_int(*value, n) || n < 1 || n > 1000)
        return Error(Errc::BadRequest, "'limit' must be 1 to 1000.", name);
      q.limit = static_cast<std::size_t>(n);
    } else {
      return Error(
          Errc::BadRequest,
          "Unknown parameter '" + name + "' (since, failed, model, deployment, status, limit).",
          name);
    }
  }
  return q;
}

void append_request_json(std::string& out, const RequestRow& r) {
  auto text = [&](std::string_view key, std::string_view value) {
    out += ",\"";
    out += key;
    out += "\":";
    append_json_string(out, value);
  };
  out += "{\"at\":";
  append_json_string(out, rfc3339(from_ms(r.at_ms)));
  text("request_id", r.request_id);
  text("client", r.client);
  text("dialect", r.dialect);
  text("method", r.method);
  text("path", r.path);
  text("model", r.model);
  text("route", r.route);
  text("deployment", r.deployment);
  fmt::format_to(std::back_inserter(out), ",\"status\":{},\"attempts\":{},\"latency_ms\":{:.3f}",
                 r.status, r.attempts, r.latency_ms);
  if (r.first_byte_ms >= 0)
    fmt::format_to(std::back_inserter(out), ",\"first_byte_ms\":{:.3f}", r.first_byte_ms);
  else
    out += ",\"first_byte_ms\":null";
  fmt::format_to(std::back_inserter(out), ",\"prompt_tokens\":{},\"completion_tokens\":{}",
                 r.prompt_tokens, r.completion_tokens);
  text("error", r.error);
  out += '}';
}

std::string percent_encode(std::string_view value) {
  std::string out;
  for (const char c : value) {
    const auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += c;
    } else {
      fmt::format_to(std::back_inserter(out), "%{:02X}", u);
    }
  }
  return out;
}

}  // namespace fleetgate
