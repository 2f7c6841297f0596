#include "gateway/response_keeper.h"

#include "store/store.h"

#include <algorithm>

namespace fleetgate {

ResponseKeeper::ResponseKeeper(Store* store, std::size_t in_memory)
    : store_(store), capacity_(in_memory) {}

void ResponseKeeper::put(StoredResponse r) {
  if (store_) {
    WriteBatch batch;
    batch.responses.push_back({r.id, r.created_ms, r.response, r.messages});
    store_->write(std::move(batch));
  }
  std::lock_guard lock(mutex_);
  const std::string id = r.id;
  std::erase(erased_, id);
  if (recent_.insert_or_assign(id, std::move(r)).second) order_.push_back(id);
  while (order_.size() > capacity_) {
    recent_.erase(order_.front());
    order_.pop_front();
  }
}

std::optional<StoredResponse> ResponseKeeper::get(std::string_view id) {
  {
    std::lock_guard lock(mutex_);
    if (auto it = recent_.find(std::string(id)); it != recent_.end()) return it->second;
  }
  if (!store_) return std::nullopt;
  {
    std::lock_guard lock(mutex_);
    if (std::find(erased_.begin(), erased_.end(), id) != erased_.end()) return std::nullopt;
  }
  auto row = store_->response(std::string(id));
  if (!row) return std::nullopt;
  return StoredResponse{row->id, row->created_ms, row->response, row->messages};
}

bool ResponseKeeper::erase(std::string_view id) {
  bool found = false;
  {
    std::lock_guard lock(mutex_);
    if (auto it = recent_.find(std::string(id)); it != recent_.end()) {
      recent_.erase(it);
      std::erase(order_, std::string(id));
      found = true;
    } else if (std::find(erased_.begin(), erased_.end(), id) != erased_.end()) {
      return false;  // deleted already; the store may not have removed it yet
    }
  }
  if (!store_) return found;
  found = found || store_->response(std::string(id)).has_value();
  {
    std::lock_guard lock(mutex_);
    erased_.emplace_back(id);
    if (erased_.size() > capacity_) erased_.pop_front();
  }
  WriteBatch batch;
  batch.removed_responses.push_back(std::string(id));
  store_->write(std::move(batch));
  return found;
}

}  // namespace fleetgate
