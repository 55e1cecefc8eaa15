#include "base/rate.h"

#include <gtest/gtest.h>

namespace recur::rate_test {
namespace {

using namespace std::chrono_literals;

TEST(Rate, ReadsACountPerWindowInEachUnit) {
  auto per_minute = ParseRate("20/1m");
  ASSERT_TRUE(per_minute);
  EXPECT_EQ(per_minute->count, 20);
  EXPECT_EQ(per_minute->window, 60s);
  EXPECT_EQ(ParseRate("5/30s")->window, 30s);
  EXPECT_EQ(ParseRate("10/1h")->window, 3600s);
  EXPECT_EQ(ParseRate("1/2d")->window, 172800s);
}

TEST(Rate, RefusesWhatIsNotACountPerWindow) {
  for (const char* text :
       {"", "20", "20/", "/1m", "20/m", "20/1", "20/1w", "0/1m", "-1/1m", "+1/1m", "01/1m", "20/0m",
        "20/01m", " 20/1m", "20/1m ", "20 / 1m", "1.5/1m", "20/1m/1h"}) {
    EXPECT_FALSE(ParseRate(text)) << text;
  }
}

TEST(Rate, RefusesACountOrAWindowPastTheLargest) {
  EXPECT_TRUE(ParseRate("1000000/1s"));
  EXPECT_FALSE(ParseRate("1000001/1s"));
  EXPECT_TRUE(ParseRate("1/7d"));
  EXPECT_FALSE(ParseRate("1/8d"));
  EXPECT_FALSE(ParseRate("1/169h"));
  // A number of units so large that multiplying it would overflow is refused, not wrapped.
  EXPECT_FALSE(ParseRate("1/9223372036854775807d"));
}

TEST(Rate, IsWrittenWithTheLargestWholeUnit) {
  EXPECT_EQ(FormatRate({20, 60s}), "20/1m");
  EXPECT_EQ(FormatRate({10, 3600s}), "10/1h");
  EXPECT_EQ(FormatRate({3, 90s}), "3/90s");
  EXPECT_EQ(FormatRate({1, 86400s}), "1/1d");
  EXPECT_EQ(FormatRate({4, 5400s}), "4/90m");
}

}  // namespace
}  // namespace recur::rate_test
