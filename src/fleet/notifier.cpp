#include "fleet/notifier.h"

#include "config/url.h"
#include "core/subprocess.h"
#include "net/http_call.h"

namespace fleetgate {

namespace {

class ExecNotifier final : public Notifier {
 public:
  explicit ExecNotifier(const ReceiverSpec& r) : r_(r) {}
  Delivery deliver(const std::string& payload) override {
    const auto ran = run(payload);
    return {ran.has_value(), false, ran ? std::string() : ran.error().message};
  }

 private:
  Result<void> run(const std::string& payload) const {
    const auto run = run_subprocess(r_.exec, payload, false, r_.timeout);
    const std::string& program = r_.exec.front();
    if (!run.start_error.empty())
      return Error(Errc::UpstreamUnreachable, "cannot run " + program + ": " + run.start_error);
    if (run.timed_out)
      return Error(Errc::UpstreamTimeout, program + " took longer than its timeout");
    if (run.succeeded()) return {};
    if (run.exit_code)
      return Error(Errc::UpstreamProtocol,
                   program + " exited with status " + std::to_string(*run.exit_code));
    return Error(Errc::UpstreamProtocol, program + " was killed by a signal");
  }

  ReceiverSpec r_;
};

class WebhookNotifier final : public Notifier {
 public:
  explicit WebhookNotifier(const ReceiverSpec& r) : r_(r) {
    url_ = parse_url(*r_.webhook, problem_);  // checked by the config loader
  }
  Delivery deliver(const std::string& payload) override {
    if (!url_) return {false, false, problem_};
    int status = 0;
    auto answered =
        http_call(*url_, "POST", "", payload, std::nullopt, r_.timeout, nullptr, &status);
    if (answered) return {true, false, {}};
    // 408 and 429 say "later", not "never".
    const bool refused = status >= 400 && status < 500 && status != 408 && status != 429;
    return {false, refused, answered.error().message};
  }

 private:
  ReceiverSpec r_;
  std::optional<Url> url_;
  std::string problem_;
};

}  // namespace

std::unique_ptr<Notifier> make_notifier(const ReceiverSpec& receiver) {
  if (receiver.webhook) return std::make_unique<WebhookNotifier>(receiver);
  return std::make_unique<ExecNotifier>(receiver);
}

Delivery deliver(const ReceiverSpec& receiver, const std::string& payload) {
  return make_notifier(receiver)->deliver(payload);
}

}  // namespace fleetgate
