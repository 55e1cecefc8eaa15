#include "base/duration_text.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace recur::duration_text_test {
namespace {

using std::chrono::hours;
using ::testing::ElementsAre;

TEST(DurationText, ParsesDaysAndHours) {
  EXPECT_EQ(ParseDuration("3d"), hours(72));
  EXPECT_EQ(ParseDuration("12h"), hours(12));
  EXPECT_EQ(ParseDuration("366d"), hours(366 * 24));
  EXPECT_EQ(ParseDuration("8784h"), hours(8784));
  for (std::string_view bad : {"", "d", "0d", "03d", "3", "3m", "-3d", "1.5d", "367d", "8785h",
                               "3 d", "99999999999999999999d", "1044444444444444444d"}) {
    EXPECT_EQ(ParseDuration(bad), std::nullopt) << bad;
  }
}

TEST(DurationText, FormatsAsWrittenForPeople) {
  EXPECT_EQ(FormatDuration(hours(72)), "3d");
  EXPECT_EQ(FormatDuration(hours(12)), "12h");
  EXPECT_EQ(FormatDuration(hours(36)), "36h");
}

TEST(DurationText, ParsesLists) {
  EXPECT_THAT(ParseDurationList("1d,3d,12h").value(), ElementsAre(hours(24), hours(72), hours(12)));
  EXPECT_THAT(ParseDurationList("").value(), ElementsAre());
  EXPECT_EQ(ParseDurationList("1d,"), std::nullopt);
  EXPECT_EQ(ParseDurationList("1d,,3d"), std::nullopt);
  EXPECT_EQ(ParseDurationList("1d;3d"), std::nullopt);
}

}  // namespace
}  // namespace recur::duration_text_test
