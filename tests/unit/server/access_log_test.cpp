// Access log lines: valid JSON with the documented fields, batched per event-loop turn.
#include "server/access_log.h"

#include <gtest/gtest.h>
#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>

#include <fstream>
#include <sstream>

#include <unistd.h>

namespace fleetgate {
namespace {

std::string read_all(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(AccessLog, WritesOneJsonLinePerRequestOnceTheLoopTurns) {
  const std::string path = ::testing::TempDir() + "access-" + std::to_string(::getpid()) + ".log";
  std::remove(path.c_str());
  AccessLog log(path);
  ASSERT_TRUE(log.problem().empty()) << log.problem();
  boost::asio::io_context ioc(1);
  AccessLogWriter writer(log, ioc.get_executor());

  AccessRecord r;
  r.request_id = "req-1";
  r.method = "POST";
  r.path = "/v1/chat/completions";
  r.model = "fast \"q\"";
  r.deployment = "fast#1";
  r.status = 200;
  r.start = std::chrono::steady_clock::now() - std::chrono::microseconds(12345);
  r.first_byte = r.start + std::chrono::microseconds(2005);
  r.usage = Usage{23, 16};
  r.stream = true;
  writer.write(r);
  r.request_id = "req-2";
  r.status = 502;
  r.error = "fast#1 (h:1): refused";
  r.usage.reset();
  writer.write(r);
  EXPECT_EQ(read_all(path), "");  // batched until the loop turns
  ioc.run();

  std::istringstream lines(read_all(path));
  std::string line;
  std::vector<boost::json::object> parsed;
  while (std::getline(lines, line)) parsed.push_back(boost::json::parse(line).as_object());
  ASSERT_EQ(parsed.size(), 2u);
  const auto& a = parsed[0];
  EXPECT_EQ(a.at("request_id"), "req-1");
  EXPECT_EQ(a.at("model"), "fast \"q\"");
  EXPECT_EQ(a.at("deployment"), "fast#1");
  EXPECT_EQ(a.at("status"), 200);
  EXPECT_GE(a.at("latency_ms").as_double(), 12.345);
  EXPECT_LT(a.at("latency_ms").as_double(), 1000.0);
  EXPECT_DOUBLE_EQ(a.at("ttfb_ms").as_double(), 2.005);
  EXPECT_EQ(a.at("prompt_tokens"), 23);
  EXPECT_EQ(a.at("completion_tokens"), 16);
  EXPECT_EQ(a.at("stream"), true);
  EXPECT_TRUE(a.at("ts").as_string().ends_with("Z"));
  EXPECT_EQ(parsed[1].at("status"), 502);
  EXPECT_EQ(parsed[1].at("error"), "fast#1 (h:1): refused");
  EXPECT_FALSE(parsed[1].contains("prompt_tokens"));
  std::remove(path.c_str());
}

TEST(AccessLog, ReportsATargetItCannotOpen) {
  AccessLog log("/nonexistent-dir/access.log");
  EXPECT_FALSE(log.enabled());
  EXPECT_NE(log.problem().find("cannot open /nonexistent-dir/access.log"), std::string::npos);
}

TEST(AccessLog, OffWritesNothing) {
  AccessLog log("off");
  EXPECT_FALSE(log.enabled());
  EXPECT_TRUE(log.problem().empty());
}

TEST(AccessLog, TimestampsAndLatencyAreReadOnTheClockItIsGiven) {
  const std::string path =
      ::testing::TempDir() + "access-clock-" + std::to_string(::getpid()) + ".log";
  std::remove(path.c_str());
  AccessLog log(path);
  boost::asio::io_context ioc(1);
  // 2026-12-01T10:20:30.250Z, read an hour in (ManualClock starts its steady time there)
  ManualClock clock(Clock::Wall::time_point(std::chrono::milliseconds(1796120430250)));
  AccessLogWriter writer(log, ioc.get_executor(), clock);
  AccessRecord r;
  r.request_id = "req-1";
  r.method = "GET";
  r.path = "/v1/models";
  r.status = 200;
  r.start = clock.steady();
  clock.advance(std::chrono::microseconds(7250));
  writer.write(r);
  ioc.run();
  const auto line = boost::json::parse(read_all(path)).as_object();
  EXPECT_EQ(line.at("ts"), "2026-12-01T11:20:30.257Z");
  EXPECT_DOUBLE_EQ(line.at("latency_ms").to_number<double>(), 7.25);
  std::remove(path.c_str());
}

}  // namespace
}  // namespace fleetgate
