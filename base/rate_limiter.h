// Budgets of events per key (a client's address, a payer), refilled over time: a key may spend
// `rate.count` events at once, and gets one back every `rate.window / rate.count`, up to the
// full budget again (a token bucket, kept as one instant per key: when the budget is full again,
// as the generic cell rate algorithm does). So a key that keeps to the rate is never refused,
// and one that spent its budget waits a fraction of the window, not all of it.
// Time is passed in (`now`), never read here. Should it go backwards (the wall clock set back),
// no key waits longer than a full window for its budget.
// Memory is bounded: at most `max_keys` keys are kept; a new key past that forgets the key used
// least recently (a key whose budget is full again carries nothing, and the least recent is the
// likeliest to be one). At most about 200 bytes per key.
// Thread-safe: one mutex; each call is a hash look-up and a few additions under it.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <list>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "base/clock.h"
#include "base/rate.h"

namespace recur {

class RateLimiter {
 public:
  // `rate.count` must be at least 1 and `rate.window` at least a second; `max_keys` at least 1.
  RateLimiter(Rate rate, std::size_t max_keys);

  // Spends one event of `key`'s budget at `now`. None when it was there to spend; when the
  // budget is spent, nothing is taken and the answer is how long until one event is back.
  std::optional<std::chrono::milliseconds> Take(std::string_view key, Instant now);
  // How long until `key` may spend an event, or none when it may now; spends nothing, and
  // keeps nothing for a key it does not know.
  std::optional<std::chrono::milliseconds> WaitFor(std::string_view key, Instant now);

  const Rate& rate() const { return rate_; }
  // The keys kept now.
  std::size_t keys() const;

 private:
  using Micros = std::int64_t;
  struct Entry {
    std::string key;
    Micros full_at = 0;  // when the key's budget is full again
  };
  using Entries = std::list<Entry>;

  // `key`'s entry, moved to the front as the most recently used; end() when there is none.
  Entries::iterator Find(std::string_view key);
  // When `entry`'s budget is full again, as seen at `now`: never before `now`, never more than
  // a full budget after it.
  Micros FullAt(const Entry& entry, Micros now) const;
  // The wait when the budget, full at `full_at`, has no event to spend at `now`.
  std::optional<std::chrono::milliseconds> Wait(Micros full_at, Micros now) const;

  const Rate rate_;
  const std::size_t max_keys_;
  const Micros interval_;   // the time one event takes to come back
  const Micros tolerance_;  // how far ahead of now a budget may be full and still spend one
  mutable std::mutex mutex_;
  Entries entries_;                                                // most recently used first
  std::unordered_map<std::string_view, Entries::iterator> index_;  // views into entries_' keys
};

}  // namespace recur
