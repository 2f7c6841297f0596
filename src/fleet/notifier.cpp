#include "fleet/notifier.h"

#include "config/url.h"
#include "core/subprocess.h"
#include "net/http_call.h"

namespace fleetgate {

namespace {

Result<void> run_command(const ReceiverSpec& r, const std::string& payload) {
  const auto run = run_subprocess(r.exec, payload, false, r.timeout);
  const std::string& program = r.exec.front();
  if (!run.start_error.empty())
    return Error(Errc::UpstreamUnreachable, "cannot run " + program + ": " + run.start_error);
  if (run.timed_out) return Error(Errc::UpstreamTimeout, program + " took longer than its timeout");
  if (run.succeeded()) return {};
  if (run.exit_code)
    return Error(Errc::UpstreamProtocol,
                 program + " exited with status " + std::to_string(*run.exit_code));
  return Error(Errc::UpstreamProtocol, program + " was killed by a signal");
}

}  // namespace

Delivery deliver(const ReceiverSpec& receiver, const std::string& payload) {
  if (!receiver.webhook) {
    const auto ran = run_command(receiver, payload);
    return {ran.has_value(), false, ran ? std::string() : ran.error().message};
  }
  std::string problem;
  auto url = parse_url(*receiver.webhook, problem);  // checked by the config loader
  if (!url) return {false, false, problem};
  int status = 0;
  auto answered =
      http_call(*url, "POST", "", payload, std::nullopt, receiver.timeout, nullptr, &status);
  if (answered) return {true, false, {}};
  // 408 and 429 say "later", not "never".
  const bool refused = status >= 400 && status < 500 && status != 408 && status != 429;
  return {false, refused, answered.error().message};
}

}  // namespace fleetgate
