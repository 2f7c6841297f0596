// The schema as numbered migrations: migration N brings user_version N-1 to N. Append only;
// never edit one that has shipped.
#pragma once

#include <span>

namespace fleetgate {

std::span<const char* const> store_migrations();

}  // namespace fleetgate
