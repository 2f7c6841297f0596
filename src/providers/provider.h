// What differs between the backends' dialects, behind one interface: how the request is built,
// whether and how a 2xx answer streams, what a whole answer and an error become for the OpenAI
// client. One stateless adapter per provider, chosen once per deployment when the config is
// loaded (adapter_for). The gateway's relay does the rest: start the exchange, time the first
// byte, read, answer. A new dialect or provider is a new file here.
#pragma once

#include "core/error.h"
#include "openai/translation.h"
#include "openai/usage.h"
#include "providers/call.h"

#include <boost/asio/awaitable.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace fleetgate {

// A 2xx answer read whole, as the client gets it.
struct WholeAnswer {
  std::string translated;        // the answer in OpenAI's format, for backends that speak another
  std::string_view passthrough;  // else the backend's body as it came
  std::string_view content_type = "application/json";
  std::optional<Usage> usage;
  std::string_view body() const {
    return translated.empty() ? passthrough : std::string_view(translated);
  }
};
// A translation's result as the answer to send.
Result<WholeAnswer> translated_answer(Result<TranslatedResponse> r);

// A backend's error answer (4xx/5xx, nothing sent yet), in OpenAI's error shape where the
// backend speaks another.
struct BackendError {
  std::string body;
  std::string content_type = "application/json";
};

// The backend's answer or error as it came, with its content type (JSON when it gave none).
WholeAnswer answer_as_sent(const Call& c, std::optional<Usage> usage);
BackendError error_as_sent(const Call& c);

class ProviderAdapter {
 public:
  virtual ~ProviderAdapter() = default;
  // Fills call.parts (and the exchange's head). An error: the request cannot be expressed for
  // this provider, and no other deployment of the same kind would do better.
  virtual std::optional<Error> build_request(Call& call) const = 0;
  // Whether the backend's 2xx answer to a streaming request is relayed as a stream.
  virtual bool streams(const Call& call) const = 0;
  // Relays the rest of a 2xx stream (its head is in); false when the backend failed in it.
  virtual asio::awaitable<bool> stream(Call& call) const = 0;
  // A 2xx answer read whole; an error when it could not be read.
  virtual Result<WholeAnswer> whole(const Call& call) const = 0;
  // An error answer read whole.
  virtual BackendError error(const Call& call, int status) const = 0;
};

// The adapter for a deployment's provider; lives for the program.
const ProviderAdapter& adapter_for(Provider provider);
// For a deployment that speaks the client's dialect (Call::native): the client's body out, the
// backend's answer back.
const ProviderAdapter& passthrough_adapter();

}  // namespace fleetgate
