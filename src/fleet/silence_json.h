// Silences in Alertmanager's API v2 JSON: {"matchers": [{"name", "value", "isRegex",
// "isEqual"}], "startsAt", "endsAt", "createdBy", "comment"}, read from POST /fleet/v1/silences
// and the store, written to the store and GET /fleet/v1/silences. Pure.
#pragma once

#include "core/error.h"
#include "fleet/alert_book.h"

#include <string>
#include <string_view>
#include <vector>

namespace fleetgate {

// A new silence from a request body: `id` is the caller's; startsAt defaults to (and is never
// before) `now`; endsAt must come later. Regex matchers must compile.
Result<Silence> parse_silence(std::string_view body, std::string id, FleetTime now);

std::string matchers_json(const std::vector<Matcher>& matchers);
// The matchers stored by matchers_json(); an error when any of them is not a usable matcher
// (a silence with one left out would silence more than was asked).
Result<std::vector<Matcher>> parse_matchers(std::string_view json);

}  // namespace fleetgate
