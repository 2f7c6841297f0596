// Alertmanager's webhook payload, version 4, for one alert: what existing receivers (and the
// exec notifier's stdin) get. Pure.
#pragma once

#include "fleet/alert_book.h"

#include <string>

namespace fleetgate {

// `receiver` is the receiver's name; `external_url` is fleetgate's own URL (may be empty).
std::string alertmanager_payload(const Alert& alert, const std::string& receiver,
                                 const std::string& external_url);

// {"name": "value", ...} in name order.
std::string labels_json(const Labels& labels);

}  // namespace fleetgate
