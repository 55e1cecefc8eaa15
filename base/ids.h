// Prefixed ids in Clerk's style: a type prefix ("cplan", "cpayer", "csub", ...), an underscore,
// and 27 base62 characters. Where ids come from is injected like time: the server makes KSUIDs
// (a timestamp and 128 random bits, as Clerk's ids are), tests and the simulator use a seeded
// generator so that their output is reproducible.
// Implementations are safe to call from any thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <string_view>

#include "base/clock.h"

namespace recur {

inline constexpr std::size_t kIdBodyLength = 27;

class IdGenerator {
 public:
  virtual ~IdGenerator() = default;
  // Returns prefix + "_" + kIdBodyLength base62 characters.
  virtual std::string NewId(std::string_view prefix) = 0;
};

// KSUID bodies: the seconds since the KSUID epoch (2014-05-13T16:53:20Z) as 4 big-endian bytes,
// then 16 bytes from OpenSSL's RAND_bytes; the 20 bytes read as one number, written in base62
// and zero-padded to 27 characters. Ids made in a later second sort after earlier ones, so
// rows keyed by them go to the end of their indexes instead of to random pages, and a commit
// writes fewer pages. The time is `clock`'s; ids do not depend on it for uniqueness.
class KsuidGenerator final : public IdGenerator {
 public:
  explicit KsuidGenerator(const Clock& clock) : clock_(clock) {}
  std::string NewId(std::string_view prefix) override;

 private:
  const Clock& clock_;
};

// KSUIDs that also increase within a second, for rows whose id indexes should grow only at
// their end (rows are written about in the order their ids are made). The
// first id of a second has a random payload below 2^127; each next id adds a random step of 1
// to 2^64 - 1. So ids sort in the order they were made, and the next id cannot be guessed from
// the last. Should the clock go back, the latest second is kept and the order holds.
class IncreasingKsuidGenerator final : public IdGenerator {
 public:
  explicit IncreasingKsuidGenerator(const Clock& clock) : clock_(clock) {}
  std::string NewId(std::string_view prefix) override;

 private:
  const Clock& clock_;
  std::mutex mutex_;
  std::uint32_t timestamp_ = 0;
  bool started_ = false;
  std::uint64_t payload_high_ = 0;  // the payload's first 8 bytes, as a big-endian number
  std::uint64_t payload_low_ = 0;   // its last 8 bytes
};

inline constexpr std::int64_t kKsuidEpochSeconds = 1400000000;

// The 27-character base62 text of a KSUID made of `timestamp` (seconds since the KSUID epoch)
// and a 16-byte `payload`.
std::string EncodeKsuid(std::uint32_t timestamp, const unsigned char (&payload)[16]);

// Reproducible ids: the same seed yields the same sequence.
class SeededIdGenerator final : public IdGenerator {
 public:
  explicit SeededIdGenerator(std::uint64_t seed) : engine_(seed) {}
  std::string NewId(std::string_view prefix) override;

 private:
  std::mutex mutex_;
  std::mt19937_64 engine_;
};

// Ids whose bodies count up from 1, in zero-padded decimal: for throwaway copies of an
// account whose ids are never shown or stored (what-if runs of the lifecycle). Unique within
// one generator only; cheap, where drawing 27 random characters per id was not.
class CountingIdGenerator final : public IdGenerator {
 public:
  std::string NewId(std::string_view prefix) override;

 private:
  std::atomic<std::uint64_t> count_{0};
};

// Random bytes from OpenSSL, for ids and secrets. Aborts if the system has no entropy source,
// since nothing safe can be done without one.
void FillRandomBytes(unsigned char* out, std::size_t size);

// Encodes random bytes as base62 text of exactly `length` characters.
std::string RandomBase62(std::size_t length);

}  // namespace recur
