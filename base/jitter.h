// Random spread of delays, so that nodes running the same periodic work (the scheduler's poll,
// the dispatcher's retries) drift apart instead of acting in step. Spread(d) is d times a factor
// drawn uniformly from [1 - spread, 1 + spread]. Seeded for repeatable runs (tests), else from
// random bytes, so two nodes started together draw differently.
// Thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <random>

namespace recur {

class Jitter {
 public:
  // `spread` in [0, 1): 0.2 spreads each delay by up to ±20%.
  Jitter(double spread, std::optional<std::uint64_t> seed);

  std::chrono::milliseconds Spread(std::chrono::milliseconds delay);

 private:
  const double spread_;
  std::mutex mutex_;
  std::mt19937_64 random_;  // guarded by mutex_
};

}  // namespace recur
