#include "base/log.h"

#include <gtest/gtest.h>

#include <date/date.h>

namespace recur {
namespace {

TEST(FormatRfc3339, PrintsUtcWithMilliseconds) {
  EXPECT_EQ(FormatRfc3339(FromUnixMillis(0)), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(FormatRfc3339(FromUnixMillis(1'795'676'996'123)), "2026-11-26T07:09:56.123Z");
  EXPECT_EQ(FormatRfc3339(FromUnixMillis(951'782'400'007)), "2000-02-29T00:00:00.007Z");
  EXPECT_EQ(FormatRfc3339(FromUnixMillis(-1)), "1969-12-31T23:59:59.999Z");
}

TEST(FormatRfc3339, AgreesWithTheDateLibrarysOwnFormat) {
  // Instants spread over four centuries, leap days and the millisecond included.
  for (std::int64_t ms = -5'000'000'000'000; ms < 8'000'000'000'000; ms += 7'777'777'777) {
    const Instant t = FromUnixMillis(ms);
    EXPECT_EQ(FormatRfc3339(t), date::format("%FT%TZ", t)) << ms;
  }
}

}  // namespace
}  // namespace recur
