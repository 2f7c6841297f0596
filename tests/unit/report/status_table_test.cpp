// `fleetgate status`'s table, plain and coloured.
#include "report/status_table.h"

#include <gtest/gtest.h>

namespace fleetgate {
namespace {

using namespace std::chrono_literals;

TEST(StatusTable, PlainAndColoured) {
  const std::string json =
      R"({"subjects":[{"kind":"node","name":"ai","state":"down","since":"2026-11-22T05:00:00Z",)"
      R"("last_seen_age_s":75,"reason":"no ping within 1m"}],"alerts":[{"alertname":"NodeDown",)"
      R"("subject":"node/ai","severity":"critical","startsAt":"2026-11-22T05:00:00Z",)"
      R"("annotations":{"summary":"node ai is DOWN"}}]})";
  auto plain = render_status(json, false);
  ASSERT_TRUE(plain);
  EXPECT_EQ(*plain,
            "KIND  NAME  STATE  SINCE                LAST SEEN  REASON\n"
            "node  ai    DOWN   2026-11-22 05:00:00  75s ago    no ping within 1m\n\n"
            "1 open alert(s):\n"
            "  critical  NodeDown  node/ai  since 2026-11-22 05:00:00  node ai is DOWN\n");
  auto coloured = render_status(json, true);
  ASSERT_TRUE(coloured);
  EXPECT_NE(coloured->find("\033[31mDOWN\033[0m"), std::string::npos);
  EXPECT_FALSE(render_status("nope", false));
}

}  // namespace
}  // namespace fleetgate
