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

Result<void> deliver(const ReceiverSpec& receiver, const std::string& payload) {
  if (!receiver.webhook) return run_command(receiver, payload);
  std::string problem;
  auto url = parse_url(*receiver.webhook, problem);  // checked by the config loader
  if (!url) return Error(Errc::BadRequest, problem);
  auto answered = http_call(*url, "POST", "", payload, std::nullopt, receiver.timeout);
  if (!answered) return answered.error();
  return {};
}

}  // namespace fleetgate
