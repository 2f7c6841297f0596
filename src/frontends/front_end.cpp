#include "frontends/front_end.h"

#include "frontends/anthropic_front.h"
#include "frontends/ollama_front.h"
#include "frontends/responses_front.h"

namespace fleetgate {

Result<std::unique_ptr<FrontCall>> make_front_call(Dialect dialect, const FrontInput& in) {
  switch (dialect) {
    case Dialect::Anthropic: return anthropic_front(in);
    case Dialect::Ollama: return ollama_front(in);
    case Dialect::Responses: return responses_front(in);
    case Dialect::OpenAI: break;
  }
  return Error(Errc::NotImplemented, "This dialect has no front end.");
}

}  // namespace fleetgate
