#include "base/jitter.h"

#include "base/ids.h"

namespace recur {
namespace {

std::uint64_t RandomSeed() {
  unsigned char bytes[8];
  FillRandomBytes(bytes, sizeof bytes);
  std::uint64_t value = 0;
  for (unsigned char byte : bytes) value = (value << 8) | byte;
  return value;
}

}  // namespace

Jitter::Jitter(double spread, std::optional<std::uint64_t> seed)
    : spread_(spread), random_(seed ? *seed : RandomSeed()) {}

std::chrono::milliseconds Jitter::Spread(std::chrono::milliseconds delay) {
  std::uniform_real_distribution<double> factor(1.0 - spread_, 1.0 + spread_);
  std::lock_guard lock(mutex_);
  return std::chrono::milliseconds(
      static_cast<std::int64_t>(static_cast<double>(delay.count()) * factor(random_)));
}

}  // namespace recur
