#include "base/ids.h"

#include <openssl/rand.h>

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

std::string RandomIdGenerator::NewId(std::string_view prefix) {
  return WithPrefix(prefix, RandomBase62(kIdBodyLength));
}

std::string SeededIdGenerator::NewId(std::string_view prefix) {
  std::lock_guard lock(mutex_);
  return WithPrefix(prefix,
                    Base62(kIdBodyLength, [&] { return static_cast<unsigned char>(engine_()); }));
}

}  // namespace recur
