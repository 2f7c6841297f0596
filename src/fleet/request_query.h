// The request log as the fleet API serves it: the query of GET /fleet/v1/requests and each row
// as one JSON line. Pure.
#pragma once

#include "core/error.h"
#include "store/records.h"

#include <cstdint>
#include <string>
#include <string_view>

namespace fleetgate {

// `since=1h` (a duration back from now_ms, default 1h), `failed=1`, `model=`, `deployment=`,
// `status=`, `limit=` (1-1000, default 100); values percent-decoded. BadRequest naming the
// parameter at fault.
Result<RequestQuery> parse_request_query(std::string_view query, std::int64_t now_ms);

// One row as a JSON object (no newline).
void append_request_json(std::string& out, const RequestRow& r);

// `value` percent-encoded for a query string (what is not unreserved, RFC 3986).
std::string percent_encode(std::string_view value);

}  // namespace fleetgate
