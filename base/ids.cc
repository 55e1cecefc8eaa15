#include "base/ids.h"

#include <openssl/rand.h>

#include <algorithm>
#include <limits>
#include <memory>

#include <cstdio>
#include <cstdlib>

namespace recur {
namespace {

constexpr std::string_view kBase62 =
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

// Maps a uniformly random byte stream onto base62 without modulo bias by rejecting bytes
// at or above 248 (the largest multiple of 62 that fits in a byte).
template <typename NextByte>
std::string Base62(std::size_t length, NextByte next_byte) {
  std::string out;
  out.reserve(length);
  while (out.size() < length) {
    unsigned char b = next_byte();
    if (b < 248) out.push_back(kBase62[b % 62]);
  }
  return out;
}

// Seconds since the KSUID epoch, clamped to what its four bytes hold.
std::uint32_t KsuidTimestamp(Instant now) {
  const std::int64_t seconds = ToUnixMillis(now) / 1000 - kKsuidEpochSeconds;
  return static_cast<std::uint32_t>(
      std::clamp<std::int64_t>(seconds, 0, std::numeric_limits<std::uint32_t>::max()));
}

std::string WithPrefix(std::string_view prefix, std::string body) {
  std::string id;
  id.reserve(prefix.size() + 1 + body.size());
  id.append(prefix).push_back('_');
  id.append(body);
  return id;
}

}  // namespace

void FillRandomBytes(unsigned char* out, std::size_t size) {
  if (RAND_bytes(out, static_cast<int>(size)) != 1) {
    std::fputs("fatal: no entropy source for random bytes\n", stderr);
    std::abort();
  }
}

std::string RandomBase62(std::size_t length) {
  unsigned char buffer[64];
  std::size_t used = sizeof buffer;
  return Base62(length, [&] {
    if (used == sizeof buffer) {
      FillRandomBytes(buffer, sizeof buffer);
      used = 0;
    }
    return buffer[used++];
  });
}

std::string EncodeKsuid(std::uint32_t timestamp, const unsigned char (&payload)[16]) {
  // The 20 bytes as five 32-bit digits, most significant first. Each base62 digit, least
  // significant first, is the remainder of a long division of them by 62 (as segmentio/ksuid
  // does): OpenSSL's BIGNUM, which did this before, allocated and was 4% of a sign-up.
  std::uint32_t digits[5] = {timestamp, 0, 0, 0, 0};
  for (std::size_t i = 0; i < 16; ++i) {
    digits[1 + i / 4] = (digits[1 + i / 4] << 8) | payload[i];
  }
  // 62^27 > 2^160, so 27 digits hold any 20 bytes; the leading ones are '0' when small.
  std::string text(kIdBodyLength, '0');
  for (std::size_t i = kIdBodyLength; i-- > 0;) {
    std::uint64_t remainder = 0;
    for (std::uint32_t& digit : digits) {
      const std::uint64_t value = (remainder << 32) | digit;
      digit = static_cast<std::uint32_t>(value / 62);
      remainder = value % 62;
    }
    text[i] = kBase62[remainder];
  }
  return text;
}

std::string KsuidGenerator::NewId(std::string_view prefix) {
  unsigned char payload[16];
  FillRandomBytes(payload, sizeof payload);
  return WithPrefix(prefix, EncodeKsuid(KsuidTimestamp(clock_.Now()), payload));
}

std::string IncreasingKsuidGenerator::NewId(std::string_view prefix) {
  const std::uint32_t now = KsuidTimestamp(clock_.Now());
  std::uint64_t random[2];
  FillRandomBytes(reinterpret_cast<unsigned char*>(random), sizeof random);
  unsigned char payload[16];
  std::uint32_t timestamp;
  {
    std::lock_guard lock(mutex_);
    if (!started_ || now > timestamp_) {
      started_ = true;
      timestamp_ = now;
      payload_high_ = random[0] >> 1;  // below 2^127: room for 2^63 steps in the second
      payload_low_ = random[1];
    } else {
      const std::uint64_t step = random[0] == 0 ? 1 : random[0];
      payload_low_ += step;
      if (payload_low_ < step) ++payload_high_;  // the carry
    }
    for (int i = 0; i < 8; ++i) {
      payload[i] = static_cast<unsigned char>(payload_high_ >> (56 - 8 * i));
      payload[8 + i] = static_cast<unsigned char>(payload_low_ >> (56 - 8 * i));
    }
    timestamp = timestamp_;
  }
  return WithPrefix(prefix, EncodeKsuid(timestamp, payload));
}

std::string SeededIdGenerator::NewId(std::string_view prefix) {
  std::lock_guard lock(mutex_);
  return WithPrefix(prefix,
                    Base62(kIdBodyLength, [&] { return static_cast<unsigned char>(engine_()); }));
}

std::string CountingIdGenerator::NewId(std::string_view prefix) {
  std::string body(kIdBodyLength, '0');
  std::size_t position = kIdBodyLength;  // 20 digits at most: a 64-bit count always fits
  for (std::uint64_t n = ++count_; n > 0; n /= 10)
    body[--position] = static_cast<char>('0' + n % 10);
  return WithPrefix(prefix, std::move(body));
}

}  // namespace recur
