// The request log's buffers: what a worker adds comes out of the next drain once, whole or cut
// at a UTF-8 boundary, while the worker goes on filling the other set.
#include "gateway/request_log.h"

#include <gtest/gtest.h>

namespace fleetgate {
namespace {

AccessRecord record(const ManualClock& clock, std::string_view id, int status) {
  AccessRecord r;
  r.request_id = id;
  r.method = "POST";
  r.path = "/v1/messages";
  r.client = "127.0.0.1";
  r.model = "claude-sonnet-4-5";
  r.deployment = "claude-*#1";
  r.dialect = Dialect::Anthropic;
  r.status = status;
  r.attempts = 2;
  r.start = clock.steady();
  r.first_byte = clock.steady() + std::chrono::milliseconds(40);
  r.usage = Usage{12, 5};
  r.error = status >= 400 ? "backend answered 500" : "";
  return r;
}

TEST(RequestLog, EachRequestComesOutOfOneDrain) {
  ManualClock clock;
  RequestLog log(clock);
  const auto r1 = record(clock, "a1", 200);
  clock.advance(std::chrono::milliseconds(250));
  log.add(0, r1);
  log.add(3, record(clock, "b1", 502));
  auto rows = log.drain();
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].request_id, "a1");
  EXPECT_EQ(rows[0].dialect, "anthropic");
  EXPECT_EQ(rows[0].path, "/v1/messages");
  EXPECT_EQ(rows[0].client, "127.0.0.1");
  EXPECT_DOUBLE_EQ(rows[0].latency_ms, 250);
  EXPECT_DOUBLE_EQ(rows[0].first_byte_ms, 40);
  EXPECT_EQ(rows[0].prompt_tokens, 12);
  EXPECT_EQ(rows[0].completion_tokens, 5);
  EXPECT_EQ(rows[0].attempts, 2);
  EXPECT_EQ(rows[1].status, 502);
  EXPECT_EQ(rows[0].route, "");  // empty fields (a null view) stay empty
  EXPECT_EQ(rows[1].error, "backend answered 500");
  EXPECT_TRUE(log.drain().empty());                                    // nothing twice
  for (int i = 0; i < 3000; ++i) log.add(0, record(clock, "c", 200));  // past the reserve
  log.add(0, record(clock, "last", 200));
  rows = log.drain();
  ASSERT_EQ(rows.size(), 3001u);
  EXPECT_EQ(rows.back().request_id, "last");
  log.add(0, record(clock, "again", 200));  // into the other set, after it came back
  rows = log.drain();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].request_id, "again");
  EXPECT_EQ(log.dropped(), 0u);
}

TEST(RequestLog, LongFieldsAreCutAtACharacterBoundary) {
  ManualClock clock;
  RequestLog log(clock);
  AccessRecord r = record(clock, "x", 500);
  const std::string model = std::string(95, 'm') + "é";  // 97 bytes: "é" would be split
  r.model = model;
  r.error = std::string(1000, 'e');
  log.add(1, r);
  const auto rows = log.drain();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].model, std::string(95, 'm'));
  EXPECT_EQ(rows[0].error.size(), 160u);
}

}  // namespace
}  // namespace fleetgate
