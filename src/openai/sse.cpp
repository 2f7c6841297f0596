#include "openai/sse.h"

namespace fleetgate {

void SseDecoder::field(std::string_view line, bool lasting) {
  if (line.front() == ':') return;  // comment / keep-alive
  const auto colon = line.find(':');
  std::string_view name = line.substr(0, colon);
  std::string_view value;
  if (colon != std::string_view::npos) {
    value = line.substr(colon + 1);
    if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  }
  if (name == "data") {
    if (!have_data_ && lasting) {
      view_ = value;
      in_view_ = true;
    } else {
      if (in_view_) data_.assign(view_);
      in_view_ = false;
      if (have_data_) data_.push_back('\n');
      data_.append(value);
    }
    have_data_ = true;
  } else if (name == "event") {
    event_.assign(value);
  }
}

}  // namespace fleetgate
