// Prefixed random ids in Clerk's style: a type prefix ("cplan", "cpayer", "csub", ...), an
// underscore, and 27 base62 characters (160 bits of entropy, so collisions are not a concern).
// Where ids come from is injected like time: the server uses cryptographic randomness, tests
// and the simulator a seeded generator so that their output is reproducible.
// Implementations are safe to call from any thread.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <string_view>

namespace recur {

inline constexpr std::size_t kIdBodyLength = 27;

class IdGenerator {
 public:
  virtual ~IdGenerator() = default;
  // Returns prefix + "_" + kIdBodyLength base62 characters.
  virtual std::string NewId(std::string_view prefix) = 0;
};

// Cryptographically random ids (OpenSSL's RAND_bytes).
class RandomIdGenerator final : public IdGenerator {
 public:
  std::string NewId(std::string_view prefix) override;
};

// Reproducible ids: the same seed yields the same sequence.
class SeededIdGenerator final : public IdGenerator {
 public:
  explicit SeededIdGenerator(std::uint64_t seed) : engine_(seed) {}
  std::string NewId(std::string_view prefix) override;

 private:
  std::mutex mutex_;
  std::mt19937_64 engine_;
};

// Random bytes from OpenSSL, for ids and secrets. Aborts if the system has no entropy source,
// since nothing safe can be done without one.
void FillRandomBytes(unsigned char* out, std::size_t size);

// Encodes random bytes as base62 text of exactly `length` characters.
std::string RandomBase62(std::size_t length);

}  // namespace recur
