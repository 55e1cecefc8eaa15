#include "base/rfc3339.h"

#include <gtest/gtest.h>

#include "base/log.h"

namespace recur::rfc3339_test {
namespace {

std::int64_t Ms(std::string_view text) {
  const std::optional<Instant> parsed = ParseRfc3339(text);
  EXPECT_TRUE(parsed.has_value()) << text;
  return parsed ? ToUnixMillis(*parsed) : -1;
}

TEST(ParseRfc3339, ReadsUtcWithAndWithoutFractions) {
  EXPECT_EQ(Ms("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(Ms("2026-01-08T00:00:00Z"), 1767830400000);
  EXPECT_EQ(Ms("2026-01-08T00:00:00.250Z"), 1767830400250);
  EXPECT_EQ(Ms("2026-01-08T00:00:00.2Z"), 1767830400200);
  EXPECT_EQ(Ms("2026-01-08T00:00:00.123999Z"), 1767830400123);  // finer than ms is cut
  EXPECT_EQ(Ms("2026-01-08t00:00:00z"), 1767830400000);
  EXPECT_EQ(Ms("2026-01-08 00:00:00Z"), 1767830400000);
}

TEST(ParseRfc3339, AppliesTheOffset) {
  EXPECT_EQ(Ms("2026-01-08T01:30:00+01:30"), 1767830400000);
  EXPECT_EQ(Ms("2026-01-07T19:00:00-05:00"), 1767830400000);
  EXPECT_EQ(Ms("2026-01-08T00:00:00+00:00"), 1767830400000);
}

TEST(ParseRfc3339, ReadsBackWhatTheLogWrites) {
  const Instant t = FromUnixMillis(1795000000123);
  EXPECT_EQ(ParseRfc3339(FormatRfc3339(t)), t);
}

TEST(ParseRfc3339, RefusesWhatIsNotADateTime) {
  for (std::string_view text :
       {"", "2026-01-08", "2026-01-08T00:00:00", "2026-01-08T00:00Z", "2026-02-30T00:00:00Z",
        "2026-13-01T00:00:00Z", "2026-01-08T24:00:00Z", "2026-01-08T23:60:00Z",
        "2026-01-08T23:59:60Z", "2026-01-08T00:00:00.Z", "2026-01-08T00:00:00+0100",
        "2026-01-08T00:00:00Z ", " 2026-01-08T00:00:00Z", "1767830400000", "tomorrow",
        "2026-01-08T00:00:00+24:00"}) {
    EXPECT_FALSE(ParseRfc3339(text).has_value()) << text;
  }
}

}  // namespace
}  // namespace recur::rfc3339_test
