// A rate written for people in configuration: COUNT/WINDOW, "20/1m" for twenty per minute, with
// the window in whole seconds, minutes, hours or days ("30s", "10m", "1h", "1d"). Used by serve's
// abuse limits. Pure.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace recur {

struct Rate {
  std::int64_t count = 0;  // events allowed per window, at least 1
  std::chrono::seconds window{0};
};

inline constexpr std::int64_t kLargestRateCount = 1'000'000;
inline constexpr std::chrono::seconds kLongestRateWindow = std::chrono::days(7);

// "20/1m" -> {20, 60s}. A count from 1 to kLargestRateCount, a window from 1s to
// kLongestRateWindow; no sign, no leading zero, no spaces.
std::optional<Rate> ParseRate(std::string_view text);

// {20, 60s} -> "20/1m": the largest unit the window is a whole number of.
std::string FormatRate(const Rate& rate);

}  // namespace recur
