#include "routing/fallback_chain.h"

#include <algorithm>

namespace fleetgate {

namespace {

struct Walk {
  const RouteTable& routes;
  FallbackKind kind;
  std::size_t limit;
  std::span<const std::string_view> exclude;
  std::string_view from;
  ModelChain& out;

  bool seen(std::string_view m) const {
    return m == from || std::find(exclude.begin(), exclude.end(), m) != exclude.end() ||
           std::find(out.begin(), out.end(), m) != out.end();
  }

  void visit(std::string_view m) {
    const auto& next =
        kind == FallbackKind::General ? routes.fallbacks(m) : routes.context_window_fallbacks(m);
    for (const std::string& t : next) {
      if (out.size() >= limit) return;
      if (seen(t)) continue;
      out.push_back(t);
      visit(t);  // LiteLLM calls the fallback with fallbacks of its own
    }
  }
};

}  // namespace

ModelChain fallback_chain(const RouteTable& routes, std::string_view from, FallbackKind kind,
                          int max_fallbacks, std::span<const std::string_view> exclude) {
  ModelChain out;  // returned in place (no copy of the inline storage)
  Walk w{routes, kind, static_cast<std::size_t>(std::max(0, max_fallbacks)), exclude, from, out};
  w.visit(from);
  return out;
}

}  // namespace fleetgate
