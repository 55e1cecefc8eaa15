#include "base/rate.h"

#include <charconv>

namespace recur {
namespace {

// Digits without a sign or a leading zero, as a number from 1 to `largest`.
std::optional<std::int64_t> ParsePositive(std::string_view digits, std::int64_t largest) {
  if (digits.empty() || digits.front() < '1' || digits.front() > '9') return std::nullopt;
  std::int64_t value = 0;
  auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (error != std::errc() || end != digits.data() + digits.size() || value > largest) {
    return std::nullopt;
  }
  return value;
}

std::optional<std::int64_t> SecondsPerUnit(char unit) {
  switch (unit) {
    case 's':
      return 1;
    case 'm':
      return 60;
    case 'h':
      return 3600;
    case 'd':
      return 86400;
    default:
      return std::nullopt;
  }
}

}  // namespace

std::optional<Rate> ParseRate(std::string_view text) {
  const std::size_t slash = text.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  auto count = ParsePositive(text.substr(0, slash), kLargestRateCount);
  const std::string_view window = text.substr(slash + 1);
  if (!count || window.size() < 2) return std::nullopt;
  auto per_unit = SecondsPerUnit(window.back());
  if (!per_unit) return std::nullopt;
  const std::int64_t longest = kLongestRateWindow.count();
  // Bounded before multiplying, so it cannot overflow.
  auto units = ParsePositive(window.substr(0, window.size() - 1), longest);
  if (!units || *units * *per_unit > longest) return std::nullopt;
  return Rate{*count, std::chrono::seconds(*units * *per_unit)};
}

std::string FormatRate(const Rate& rate) {
  const std::int64_t seconds = rate.window.count();
  std::string window;
  if (seconds % 86400 == 0) {
    window = std::to_string(seconds / 86400) + "d";
  } else if (seconds % 3600 == 0) {
    window = std::to_string(seconds / 3600) + "h";
  } else if (seconds % 60 == 0) {
    window = std::to_string(seconds / 60) + "m";
  } else {
    window = std::to_string(seconds) + "s";
  }
  return std::to_string(rate.count) + "/" + window;
}

}  // namespace recur
