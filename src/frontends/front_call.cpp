#include "frontends/front_call.h"

#include "core/json_escape.h"
#include "frontends/json_access.h"

#include <boost/json.hpp>

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

Result<void> take_model(FrontCall& call, const boost::json::object& body) {
  const auto* model = body.if_contains("model");
  if (!model || !model->is_string())
    return Error(Errc::BadRequest, "Missing required parameter: 'model' (a string).", "model");
  call.model = model->as_string();
  return {};
}

std::optional<Span> FrontCall::original_model() const {
  if (!original_model_) {
    auto scanned = scan_request(original);
    original_model_ = scanned ? scanned->model : std::nullopt;
  }
  return *original_model_;
}

}  // namespace fleetgate

namespace fleetgate {

std::optional<Usage> input_output_usage(std::string_view body, std::string_view nested) {
  boost::system::error_code ec;
  JsonScratch scratch;
  const boost::json::value v = scratch.parse(body, ec);
  if (ec || !v.is_object()) return std::nullopt;
  const boost::json::value* u = v.as_object().if_contains("usage");
  if (const auto* n = v.as_object().if_contains(nested); !u && n && n->is_object())
    u = n->as_object().if_contains("usage");
  if (!u || !u->is_object()) return std::nullopt;
  return Usage{count_at(u->as_object(), "input_tokens"), count_at(u->as_object(), "output_tokens")};
}

Result<void> rename_model(FrontCall& call, std::string_view name) {
  auto scanned = scan_request(call.internal);
  if (!scanned) return scanned.error();
  if (!scanned->model) return Error(Errc::Internal, "the internal request has no model");
  call.internal.replace(scanned->model->offset, scanned->model->size, json_string(name));
  return {};
}

}  // namespace fleetgate
