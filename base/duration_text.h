// Durations written for people in configuration: whole days or hours, "3d" or "12h", from one
// hour up to 366 days. Used by plan files (trial-ending notices) and by serve's flags (the
// dunning schedule). Pure.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace recur {

// "3d" -> 72h, "12h" -> 12h. No sign, no leading zero, no other unit; nothing over 366 days.
std::optional<std::chrono::hours> ParseDuration(std::string_view text);

// 72h -> "3d", 12h -> "12h".
std::string FormatDuration(std::chrono::hours duration);

// "1d,3d,12h" -> {24h, 72h, 12h}; nothing when any entry is not a duration.
std::optional<std::vector<std::chrono::hours>> ParseDurationList(std::string_view text);

}  // namespace recur
