#include "gateway/response_keeper.h"

#include "store/store.h"

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
    }
  }
  if (store_) {
    found = found || store_->response(std::string(id)).has_value();
    WriteBatch batch;
    batch.removed_responses.push_back(std::string(id));
    store_->write(std::move(batch));
  }
  return found;
}

}  // namespace fleetgate
