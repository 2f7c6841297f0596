// The models one request may try after its first, in LiteLLM's order: depth first along the
// fallbacks (a fallback's own fallbacks before its next sibling), each model at most once, at
// most router_settings.max_fallbacks of them. Mutual and chained fallbacks are fine. Pure.
#pragma once

#include "routing/route_table.h"

#include <boost/container/small_vector.hpp>

#include <vector>

#include <span>
#include <string_view>

namespace fleetgate {

// Inline for the few models most requests see: the tried models are kept on every request.
using ModelChain = boost::container::small_vector<std::string_view, 4>;

enum class FallbackKind { General, ContextWindow };

// `from`'s fallbacks, leaving out `from` and every model in `exclude` (already tried). The
// views point into `routes` (its config) and into `from`/`exclude`'s storage.
ModelChain fallback_chain(const RouteTable& routes, std::string_view from, FallbackKind kind,
                          int max_fallbacks, std::span<const std::string_view> exclude = {});

}  // namespace fleetgate
