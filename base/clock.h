// Time is injected. Domain code takes `now` as an argument; only a Clock implementation reads
// the wall clock. The server is handed a SystemClock, tests and the simulator a ManualClock.
// Instants are UTC with millisecond resolution, the unit of the API and of event payloads.
// Both clocks are safe to call from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

namespace recur {

using Instant = std::chrono::sys_time<std::chrono::milliseconds>;

// The latest instant the API takes: 9999-12-31T23:59:59.999Z.
inline constexpr std::int64_t kLatestUnixMillis = 253402300799999;

inline std::int64_t ToUnixMillis(Instant t) { return t.time_since_epoch().count(); }
inline Instant FromUnixMillis(std::int64_t ms) { return Instant(std::chrono::milliseconds(ms)); }

class Clock {
 public:
  virtual ~Clock() = default;
  virtual Instant Now() const = 0;
};

class SystemClock final : public Clock {
 public:
  Instant Now() const override {
    return std::chrono::time_point_cast<std::chrono::milliseconds>(
        std::chrono::system_clock::now());
  }
};

// A clock that moves only when told to.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(Instant start) : now_ms_(ToUnixMillis(start)) {}
  Instant Now() const override { return FromUnixMillis(now_ms_.load()); }
  void Set(Instant t) { now_ms_.store(ToUnixMillis(t)); }
  void Advance(std::chrono::milliseconds by) { now_ms_.fetch_add(by.count()); }

 private:
  std::atomic<std::int64_t> now_ms_;
};

}  // namespace recur
