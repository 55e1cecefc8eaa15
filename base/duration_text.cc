#include "base/duration_text.h"

#include <charconv>
#include <cstdint>

namespace recur {

std::optional<std::chrono::hours> ParseDuration(std::string_view text) {
  if (text.size() < 2) return std::nullopt;
  const char unit = text.back();
  if (unit != 'd' && unit != 'h') return std::nullopt;
  std::string_view digits = text.substr(0, text.size() - 1);
  if (digits.front() < '1' || digits.front() > '9') return std::nullopt;  // no sign, no 0
  std::int64_t count = 0;
  auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), count);
  if (error != std::errc() || end != digits.data() + digits.size()) return std::nullopt;
  constexpr std::int64_t kLongestHours = 24 * 366;
  if (count > kLongestHours) return std::nullopt;  // before multiplying, so it cannot overflow
  const std::int64_t hours = unit == 'd' ? count * 24 : count;
  if (hours > kLongestHours) return std::nullopt;
  return std::chrono::hours(hours);
}

std::string FormatDuration(std::chrono::hours duration) {
  return duration.count() % 24 == 0 ? std::to_string(duration.count() / 24) + "d"
                                    : std::to_string(duration.count()) + "h";
}

std::optional<std::vector<std::chrono::hours>> ParseDurationList(std::string_view text) {
  std::vector<std::chrono::hours> durations;
  while (!text.empty()) {
    const std::size_t comma = text.find(',');
    auto duration = ParseDuration(text.substr(0, comma));
    if (!duration) return std::nullopt;
    durations.push_back(*duration);
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
    if (text.empty()) return std::nullopt;  // a trailing comma
  }
  return durations;
}

}  // namespace recur
