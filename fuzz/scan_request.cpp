// The request body scan on the hot path: finds model, stream and what routing needs. Where it
// accepts a body, the model's span must lie inside it.
#include "fuzz_input.h"
#include "openai/request_scan.h"
#include "routing/auto_router.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace fleetgate;
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  auto fields = scan_request(body);
  if (fields && fields->model) {
    fuzz::require(fields->model->offset + fields->model->size <= body.size());
  }
  (void)read_traits(body);
  return 0;
}
