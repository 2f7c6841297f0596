// Multipart uploads: a form body, whole and as it arrives in pieces, gives the same model field
// (or none) either way, and a found value lies where it says in the body.
#include "openai/multipart.h"
#include "fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace fleetgate;
  const fuzz::Input in(data, size);
  const std::string_view type = "multipart/form-data; boundary=b";
  const auto whole = find_form_field(type, in.bytes, "model");
  FormFieldFinder finder(type, "model");
  std::size_t got = 0;
  std::optional<FormField> early;
  for (std::string_view piece : fuzz::pieces(in.bytes, in.choice)) {
    got += piece.size();
    auto found = finder.feed(in.bytes.substr(0, got), false);
    if (!found) {
      fuzz::require(!whole);  // malformed before its end is malformed whole
      return 0;
    }
    if (*found) {
      early = std::move(*found);
      break;
    }
  }
  if (!early) {
    auto last = finder.feed(in.bytes, true);
    fuzz::require(last.has_value() == whole.has_value());
    if (!last) return 0;
    early = std::move(**last);
  }
  fuzz::require(whole.has_value());
  fuzz::require(early->value.offset == whole->value.offset && early->text == whole->text);
  fuzz::require(in.bytes.substr(early->value.offset, early->value.size) == early->text);
  return 0;
}
