#include "routing/upstream_model.h"

#include "config/provider_names.h"
#include "core/model_pattern.h"

namespace fleetgate {

bool takes_request(const Deployment& d, std::string_view requested) {
  if (!d.provider_from_request) return true;
  const auto placed = place_requested(requested);
  return placed && placed->provider == d.provider;
}

std::string upstream_model_for(const Deployment& d, std::string_view requested) {
  if (d.provider_from_request) {
    const auto placed = place_requested(requested);
    return std::string(placed ? placed->model : requested);
  }
  if (d.upstream_model.find('*') == std::string::npos) return d.upstream_model;
  std::vector<std::string_view> segments;
  if (!ModelPattern(d.model_name).match(requested, &segments)) return std::string(requested);
  return ModelPattern::fill(d.upstream_model, requested, segments);
}

}  // namespace fleetgate
