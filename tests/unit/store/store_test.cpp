#include "store/store.h"

#include <gtest/gtest.h>

#include <unistd.h>
#include <filesystem>

namespace fleetgate {
namespace {

std::string temp_db(const char* name) {
  const std::string path =
      ::testing::TempDir() + "store-" + std::to_string(::getpid()) + "-" + name + ".db";
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
  return path;
}

TEST(Store, KeepsResponsesUntilRemovedOrPruned) {
  const auto path = temp_db("responses");
  auto store = Store::open(path);
  ASSERT_TRUE(store) << store.error().message;
  WriteBatch b;
  b.responses.push_back({"resp_1", 1000, "{\"id\":\"resp_1\"}", "[]"});
  b.responses.push_back({"resp_2", 5000, "{\"id\":\"resp_2\"}", "[{}]"});
  (*store)->write(std::move(b));
  (*store)->flush();
  ASSERT_TRUE((*store)->response("resp_1"));
  EXPECT_EQ((*store)->response("resp_2")->messages, "[{}]");
  EXPECT_FALSE((*store)->response("resp_3"));
  WriteBatch removal;
  removal.removed_responses.push_back("resp_2");
  (*store)->write(std::move(removal));
  Retention r;
  r.responses_before_ms = 2000;
  (*store)->prune(r);
  (*store)->flush();
  EXPECT_FALSE((*store)->response("resp_1"));  // older than the retention
  EXPECT_FALSE((*store)->response("resp_2"));  // deleted
}

RequestRow request(std::int64_t at_ms, const std::string& model, int status) {
  RequestRow r;
  r.at_ms = at_ms;
  r.request_id = "id" + std::to_string(at_ms);
  r.client = "127.0.0.1";
  r.dialect = "openai";
  r.method = "POST";
  r.path = "/v1/chat/completions";
  r.model = model;
  r.deployment = model + "#1";
  r.status = status;
  r.attempts = 1;
  r.latency_ms = 1.5;
  r.prompt_tokens = 3;
  r.error = status >= 400 ? "backend answered 500" : "";
  return r;
}

TEST(Store, TheRequestLogIsFilteredNewestFirstAndPrunedByAgeAndCount) {
  const auto path = temp_db("requests");
  auto store = Store::open(path);
  ASSERT_TRUE(store) << store.error().message;
  WriteBatch b;
  for (int i = 1; i <= 6; ++i)
    b.requests.push_back(request(i * 1000, i % 2 ? "fast" : "big", i == 4 ? 502 : 200));
  (*store)->write(std::move(b));
  (*store)->flush();
  auto all = (*store)->requests(RequestQuery{});
  ASSERT_EQ(all.size(), 6u);
  EXPECT_EQ(all.front().at_ms, 6000);  // newest first
  EXPECT_EQ(all.front().first_byte_ms, -1);
  EXPECT_EQ(all.front().path, "/v1/chat/completions");
  auto failed = (*store)->requests(RequestQuery{.failed = true});
  ASSERT_EQ(failed.size(), 1u);
  EXPECT_EQ(failed[0].status, 502);
  EXPECT_EQ(failed[0].error, "backend answered 500");
  EXPECT_EQ((*store)->requests(RequestQuery{.model = "big"}).size(), 3u);
  EXPECT_EQ((*store)->requests(RequestQuery{.deployment = "fast#1", .limit = 2}).size(), 2u);
  EXPECT_EQ((*store)->requests(RequestQuery{.since_ms = 5000}).size(), 2u);
  EXPECT_EQ((*store)->requests(RequestQuery{.status = 200}).size(), 5u);
  // A model name is a value, never SQL.
  EXPECT_TRUE((*store)->requests(RequestQuery{.model = "x' OR '1'='1"}).empty());
  Retention r;
  r.requests_before_ms = 2000;  // the first goes by age
  r.requests_max_rows = 3;      // and the oldest beyond three by count
  (*store)->prune(r);
  (*store)->flush();
  all = (*store)->requests(RequestQuery{});
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all.back().at_ms, 4000);
}

TEST(Store, MigratesWritesAndReadsBack) {
  const auto path = temp_db("basic");
  {
    auto store = Store::open(path);
    ASSERT_TRUE(store) << store.error().message;
    EXPECT_EQ((*store)->schema_version(), 5);
    WriteBatch b;
    b.subjects.push_back({"check", "job", "up", "ping", 1000, 1000, 0, false, "{}"});
    b.transitions.push_back({"check", "job", "new", "up", "ping", 1000, false});
    b.pings.push_back({"job", "success", 0, 1000, "all good", "127.0.0.1"});
    b.outbox.push_back({0, "hook", "{\"x\":1}", 1000, 1000, 0, 0, ""});
    b.usage.push_back({"qwen#1", 60000, 3, 1, 10, 20, 500});
    b.usage.push_back({"qwen#1", 60000, 2, 0, 5, 5, 100});  // the same minute adds up
    b.actions.push_back({"gpu1", "vllm", "restart", "liveness probe failed 3 times in a row",
                         "running after 4s", true, 2000});
    bool done = false;
    (*store)->write(b, [&](bool ok) { done = ok; });
    (*store)->flush();
    EXPECT_TRUE(done);
    auto subjects = (*store)->subjects();
    ASSERT_EQ(subjects.size(), 1u);
    EXPECT_EQ(subjects[0].health, "up");
    EXPECT_EQ((*store)->pings("job", 10).at(0).body, "all good");
    auto due = (*store)->pending_notifications(10);
    ASSERT_EQ(due.size(), 1u);
    EXPECT_EQ(due[0].next_attempt_ms, 1000);
    auto usage = (*store)->usage(0);
    ASSERT_EQ(usage.size(), 1u);
    EXPECT_EQ(usage[0].requests, 5);
    EXPECT_EQ(usage[0].busy_ms, 600);
    auto actions = (*store)->actions(0);
    ASSERT_EQ(actions.size(), 1u);
    EXPECT_EQ(actions[0].process, "vllm");
    EXPECT_EQ(actions[0].outcome, "running after 4s");
    EXPECT_TRUE(actions[0].recovery);
    EXPECT_TRUE((*store)->actions(2001).empty());
    WriteBatch r;
    r.outbox_results.push_back({.id = due[0].id,
                                .attempts = 1,
                                .at_ms = 1000,
                                .next_attempt_ms = 3000,
                                .error = "connection refused"});
    (*store)->write(r);
    (*store)->flush();
    EXPECT_EQ((*store)->pending_notifications(10).at(0).next_attempt_ms, 3000);
    EXPECT_EQ((*store)->pending_notifications(10).at(0).last_error, "connection refused");
    r.outbox_results[0] = {.id = due[0].id,
                           .delivered = true,
                           .attempts = 2,
                           .at_ms = 3000,
                           .next_attempt_ms = 3000,
                           .error = ""};
    (*store)->write(r);
    (*store)->flush();
    EXPECT_TRUE((*store)->pending_notifications(10).empty());
    EXPECT_EQ((*store)->pending_outbox(), 0);
  }
  // Reopening keeps everything and does not migrate again.
  auto again = Store::open(path);
  ASSERT_TRUE(again);
  EXPECT_EQ((*again)->subjects().size(), 1u);
  EXPECT_EQ((*again)->transitions(0).size(), 1u);
}

TEST(Store, RetentionPrunesOldRowsOnly) {
  auto store = Store::open(temp_db("prune"));
  ASSERT_TRUE(store);
  WriteBatch b;
  b.pings.push_back({"job", "success", 0, 100, "", ""});
  b.pings.push_back({"job", "success", 0, 5000, "", ""});
  b.transitions.push_back({"check", "job", "new", "up", "ping", 100, false});
  (*store)->write(b);
  (*store)->prune({1000, 1000, 50});
  (*store)->flush();
  EXPECT_EQ((*store)->pings("job", 10).size(), 1u);
  EXPECT_EQ((*store)->transitions(0).size(), 1u);  // history is kept longer
}

TEST(Store, OnlineBackupIsAConsistentCopy) {
  const auto path = temp_db("live");
  auto store = Store::open(path);
  ASSERT_TRUE(store);
  WriteBatch b;
  b.subjects.push_back({"node", "ai", "up", "ping", 1, 1, 0, false, "{}"});
  (*store)->write(b);
  (*store)->flush();
  const auto copy = temp_db("copy");
  ASSERT_TRUE((*store)->backup(copy));
  auto read = Store::open(copy, true);
  ASSERT_TRUE(read) << read.error().message;
  EXPECT_EQ((*read)->subjects().at(0).name, "ai");
}

TEST(Store, ClearErrors) {
  auto missing = Store::open("/nonexistent-dir/x.db");
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message.find("cannot open /nonexistent-dir/x.db"), std::string::npos);
  const auto path = temp_db("not-ours");
  {
    std::FILE* f = std::fopen(path.c_str(), "w");
    std::fputs("hello", f);
    std::fclose(f);
  }
  EXPECT_FALSE(Store::open(path));
}

}  // namespace
}  // namespace fleetgate
