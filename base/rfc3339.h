// Reading an instant written as RFC 3339 (the ISO 8601 profile of the web): a date, "T" (or
// "t", or a space), a time with optional fractional seconds, and "Z" or an offset ±HH:MM, e.g.
// "2026-01-08T00:00:00Z" or "2026-01-08T01:30:00.250+01:30". JavaScript's Date#toISOString
// writes this form. Fractions finer than a millisecond are cut (Instants are milliseconds).
// A leap second (:60) is refused, as is anything else that is not a real date and time.
// Pure; thread-safe.
#pragma once

#include <optional>
#include <string_view>

#include "base/clock.h"

namespace recur {

// The instant `text` names; none when it is not RFC 3339 date-time text.
std::optional<Instant> ParseRfc3339(std::string_view text);

}  // namespace recur
