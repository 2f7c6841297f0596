// The Responses API answers kept for GET /v1/responses/{id} and previous_response_id: the
// newest in memory (a follow-up sent before the store's commit still finds its predecessor),
// every one in the store when there is one (kept for fleet.retention.responses); the newest
// deleted ids are remembered, so a GET right after a DELETE does not find the row the store has
// not removed yet. Thread-safe:
// shared by every worker, outside the request path of the other dialects.
#pragma once

#include "frontends/front_call.h"

#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace fleetgate {

class Store;

class ResponseKeeper {
 public:
  // `store` may be null (memory only); it must outlive this.
  explicit ResponseKeeper(Store* store, std::size_t in_memory = 256);

  void put(StoredResponse r);
  std::optional<StoredResponse> get(std::string_view id);
  // Whether there was one.
  bool erase(std::string_view id);

 private:
  Store* store_;
  std::size_t capacity_;
  std::mutex mutex_;
  std::unordered_map<std::string, StoredResponse> recent_;
  std::deque<std::string> order_;   // oldest first
  std::deque<std::string> erased_;  // the newest deleted ids (at most capacity_), oldest first
};

}  // namespace fleetgate
