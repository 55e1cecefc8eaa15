#include "services/catalog/catalog_follower.h"

#include <random>

#include "base/log.h"

namespace recur {

void CatalogFollower::Start() {
  if (loop_.joinable()) return;
  {
    std::lock_guard lock(mutex_);
    stopping_ = false;
  }
  loop_ = std::thread([this] { Loop(); });
}

void CatalogFollower::Stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (loop_.joinable()) loop_.join();
}

void CatalogFollower::Loop() {
  std::minstd_rand random(std::random_device{}());
  std::uniform_int_distribution<std::int64_t> jittered(period_.count() / 2,
                                                       period_.count() * 3 / 2);
  std::unique_lock lock(mutex_);
  while (true) {
    const std::chrono::milliseconds wait(jittered(random));
    if (wake_.wait_for(lock, wait, [&] { return stopping_; })) return;
    lock.unlock();
    auto followed = catalog_.Follow();
    if (!followed) {
      Log(clock_.Now(), "error", "catalog_follow_failed",
          {{"error", followed.error().message},
           {"then", "the catalog in force stays; read again at the next turn"}});
    } else if (*followed) {
      Log(clock_.Now(), "info", "catalog_followed",
          {{"why",
            "the stored catalog's revision is not the one in force (a reload, here or on another "
            "node)"}});
    }
    lock.lock();
  }
}

}  // namespace recur
