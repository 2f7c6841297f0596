// The notifier's outbox policy, as plain code over one pass of the pending rows (oldest first):
// which row is sent now, which waits (not due yet, or behind an older one of the same receiver,
// so that a "resolved" never overtakes its "firing"), and what a send's outcome makes of the row:
// delivered, set aside after kMaxRefusals refusals, or retried with a doubling backoff up to
// `retry_max`. The service's notifier thread does the sending and the logging.
#pragma once

#include "fleet/notifier.h"
#include "store/records.h"

#include <cstdint>
#include <map>
#include <optional>
#include <string>

namespace fleetgate {

class OutboxRound {
 public:
  OutboxRound(std::int64_t now_ms, std::int64_t retry_max_ms)
      : now_ms_(now_ms), retry_max_ms_(retry_max_ms) {}

  enum class Step { Send, Wait };
  // What to do with the next row. A row that waits behind an older one retried later than it
  // would be has its next attempt moved to that time: `moved` is then the result to store.
  Step step(const OutboxRow& row, std::optional<OutboxResult>& moved);

  // What sending `row` at `at_ms` came to. No delivery: its receiver left the config (dropped).
  OutboxResult outcome(const OutboxRow& row, const std::optional<Delivery>& delivery,
                       std::int64_t at_ms);

  // The earliest time a row held back in this round is due (none held: nullopt).
  std::optional<std::int64_t> next_due_ms() const;

 private:
  std::int64_t now_ms_;
  std::int64_t retry_max_ms_;
  std::map<std::string, std::int64_t> blocked_;  // receiver -> when its oldest is retried
};

}  // namespace fleetgate
