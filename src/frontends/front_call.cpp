#include "frontends/front_call.h"

#include "core/json_escape.h"

namespace fleetgate {

std::optional<std::string> FrontCall::native_path(const Deployment&) const { return std::nullopt; }

std::optional<Usage> FrontCall::native_usage(std::string_view) const { return std::nullopt; }

void add_dropped(std::string& list, std::string_view name) {
  std::string_view rest = list;
  while (!rest.empty()) {
    const auto comma = rest.find(',');
    if (rest.substr(0, comma) == name) return;
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  if (!list.empty()) list += ',';
  list += name;
}

Result<void> take_model(FrontCall& call, std::string_view body) {
  auto scanned = scan_request(body);
  if (!scanned) return scanned.error();
  if (!scanned->model)
    return Error(Errc::BadRequest, "Missing required parameter: 'model' (a string).", "model");
  call.original_model = scanned->model;
  call.model = std::move(scanned->model_name);
  return {};
}

}  // namespace fleetgate

namespace fleetgate {

Result<void> rename_model(FrontCall& call, std::string_view name) {
  auto scanned = scan_request(call.internal);
  if (!scanned) return scanned.error();
  if (!scanned->model) return Error(Errc::Internal, "the internal request has no model");
  call.internal.replace(scanned->model->offset, scanned->model->size, json_string(name));
  return {};
}

}  // namespace fleetgate
