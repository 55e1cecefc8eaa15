// Reproducible random draws for the cohort simulation: a uniform number in [0, 1) that depends
// only on the seed and the keys it is drawn for (a payer, what the draw decides, a period...),
// never on the order draws are made in. So every trial design sees the same draws for the same
// payer, and threads cannot change the outcome. SplitMix64 mixing (Steele, Lea and Flood, 2014).
// Pure.
#pragma once

#include <cstdint>
#include <initializer_list>

namespace recur {

inline std::uint64_t MixBits(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// Uniform in [0, 1), from 53 random bits.
inline double Draw(std::uint64_t seed, std::initializer_list<std::uint64_t> keys) {
  std::uint64_t state = MixBits(seed);
  for (std::uint64_t key : keys) state = MixBits(state ^ key);
  return static_cast<double>(state >> 11) * 0x1.0p-53;
}

}  // namespace recur
