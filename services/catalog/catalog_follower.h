// Keeps a node's catalog in force following the stored one when several nodes share the
// database: a thread of its own calls CatalogService::Follow() (catalog_service.h) every
// `period`, each wait drawn between half and one and a half periods so that nodes never read in
// step. So a reload on one node reaches every other within about a period and a half, with no
// signal between nodes; changes a payer asks for do not wait for it (the billing service follows
// before each). A failed read is logged and tried again at the next turn.
// Start() and Stop() from one thread; Stop() returns once the thread has ended (the destructor
// stops it too).
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "base/clock.h"
#include "services/catalog/catalog_service.h"

namespace recur {

class CatalogFollower {
 public:
  CatalogFollower(CatalogService& catalog, const Clock& clock, std::chrono::milliseconds period)
      : catalog_(catalog), clock_(clock), period_(period) {}
  ~CatalogFollower() { Stop(); }
  CatalogFollower(const CatalogFollower&) = delete;
  CatalogFollower& operator=(const CatalogFollower&) = delete;

  void Start();
  void Stop();

 private:
  void Loop();

  CatalogService& catalog_;
  const Clock& clock_;  // for the log's timestamps only
  const std::chrono::milliseconds period_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread loop_;
};

}  // namespace recur
