#include "base/rate_limiter.h"

#include <algorithm>

namespace recur {
namespace {

std::int64_t MicrosOf(Instant now) { return ToUnixMillis(now) * 1000; }

}  // namespace

RateLimiter::RateLimiter(Rate rate, std::size_t max_keys)
    : rate_(rate),
      max_keys_(std::max<std::size_t>(max_keys, 1)),
      interval_(std::chrono::duration_cast<std::chrono::microseconds>(rate.window).count() /
                std::max<std::int64_t>(rate.count, 1)),
      tolerance_(interval_ * (std::max<std::int64_t>(rate.count, 1) - 1)) {}

std::optional<std::chrono::milliseconds> RateLimiter::Take(std::string_view key, Instant at) {
  const Micros now = MicrosOf(at);
  std::lock_guard lock(mutex_);
  auto entry = Find(key);
  if (entry == entries_.end()) {
    if (entries_.size() >= max_keys_) {
      index_.erase(entries_.back().key);
      entries_.pop_back();
    }
    entries_.push_front({std::string(key), now});
    entry = entries_.begin();
    index_.emplace(entry->key, entry);
  }
  // Kept as seen now, so that a clock set back stops counting from the old time at once.
  entry->full_at = FullAt(*entry, now);
  if (auto wait = Wait(entry->full_at, now)) return wait;
  entry->full_at += interval_;
  return std::nullopt;
}

std::optional<std::chrono::milliseconds> RateLimiter::WaitFor(std::string_view key, Instant at) {
  const Micros now = MicrosOf(at);
  std::lock_guard lock(mutex_);
  auto entry = Find(key);
  if (entry == entries_.end()) return std::nullopt;
  return Wait(FullAt(*entry, now), now);
}

std::size_t RateLimiter::keys() const {
  std::lock_guard lock(mutex_);
  return entries_.size();
}

RateLimiter::Entries::iterator RateLimiter::Find(std::string_view key) {
  auto found = index_.find(key);
  if (found == index_.end()) return entries_.end();
  entries_.splice(entries_.begin(), entries_, found->second);  // iterators stay valid
  return found->second;
}

RateLimiter::Micros RateLimiter::FullAt(const Entry& entry, Micros now) const {
  return std::clamp(entry.full_at, now, now + tolerance_ + interval_);
}

std::optional<std::chrono::milliseconds> RateLimiter::Wait(Micros full_at, Micros now) const {
  const Micros ahead = full_at - now;
  if (ahead <= tolerance_) return std::nullopt;
  // Rounded up, so that a client waiting as long as it is told finds an event to spend.
  return std::chrono::milliseconds((ahead - tolerance_ + 999) / 1000);
}

}  // namespace recur
