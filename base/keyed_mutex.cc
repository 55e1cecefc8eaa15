#include "base/keyed_mutex.h"

namespace recur {

KeyedMutex::Guard::Guard(KeyedMutex& owner, std::string key) : owner_(owner), key_(std::move(key)) {
  std::unique_lock lock(owner_.mutex_);
  Entry& entry = owner_.entries_[key_];
  ++entry.waiters;
  owner_.released_.wait(lock, [&] { return !entry.held; });
  --entry.waiters;
  entry.held = true;
}

KeyedMutex::Guard::~Guard() {
  std::lock_guard lock(owner_.mutex_);
  auto it = owner_.entries_.find(key_);
  it->second.held = false;
  if (it->second.waiters == 0) owner_.entries_.erase(it);
  owner_.released_.notify_all();
}

}  // namespace recur
