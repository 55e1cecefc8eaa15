// Structured logs: one JSON object per line on stderr, written with a single write so lines
// from different threads never interleave. Every line has "time" (RFC 3339, UTC, from the
// caller's clock), "level" and "event"; the caller adds its own fields.
#pragma once

#include <string_view>

#include <nlohmann/json.hpp>

#include "base/clock.h"

namespace recur {

std::string FormatRfc3339(Instant t);  // "2026-11-26T06:53:16.123Z"

void Log(Instant now, std::string_view level, std::string_view event,
         nlohmann::json fields = nlohmann::json::object());

}  // namespace recur
