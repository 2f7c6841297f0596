// Kept Responses answers: found at once in memory, in the store after, the oldest forgotten.
#include "gateway/response_keeper.h"

#include "store/store.h"

#include <gtest/gtest.h>

#include <unistd.h>
#include <filesystem>

namespace fleetgate {
namespace {

StoredResponse response(const std::string& id) { return {id, 1, "{\"id\":\"" + id + "\"}", "[]"}; }

TEST(ResponseKeeper, MemoryOnlyKeepsTheNewest) {
  ResponseKeeper kept(nullptr, 2);
  kept.put(response("a"));
  kept.put(response("b"));
  kept.put(response("c"));
  EXPECT_FALSE(kept.get("a"));  // past the memory's size, and no store
  EXPECT_EQ(kept.get("c")->response, "{\"id\":\"c\"}");
  EXPECT_TRUE(kept.erase("b"));
  EXPECT_FALSE(kept.get("b"));
  EXPECT_FALSE(kept.erase("b"));
}

TEST(ResponseKeeper, TheStoreKeepsWhatMemoryForgets) {
  const std::string path = ::testing::TempDir() + "keeper-" + std::to_string(::getpid()) + ".db";
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
  auto store = Store::open(path);
  ASSERT_TRUE(store);
  ResponseKeeper kept(store->get(), 1);
  kept.put(response("a"));
  kept.put(response("b"));
  EXPECT_TRUE(kept.get("b"));  // in memory, committed or not
  (*store)->flush();
  ASSERT_TRUE(kept.get("a"));  // from the store
  EXPECT_EQ(kept.get("a")->messages, "[]");
  EXPECT_TRUE(kept.erase("a"));
  (*store)->flush();
  EXPECT_FALSE(kept.get("a"));
  // Deleted before the store's commit: gone at once all the same, and deleted only once.
  kept.put(response("c"));
  kept.put(response("d"));  // "c" leaves memory
  (*store)->flush();
  EXPECT_TRUE(kept.erase("c"));
  EXPECT_FALSE(kept.get("c"));
  EXPECT_FALSE(kept.erase("c"));
  (*store)->flush();
  EXPECT_FALSE(kept.get("c"));
}

}  // namespace
}  // namespace fleetgate
