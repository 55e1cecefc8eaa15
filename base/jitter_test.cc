#include "base/jitter.h"

#include <set>

#include <gtest/gtest.h>

namespace recur::jitter_test {
namespace {

using std::chrono::milliseconds;

TEST(JitterTest, EachDelayIsSpreadWithinItsBounds) {
  Jitter jitter(0.25, 7);
  std::set<std::int64_t> seen;
  for (int i = 0; i < 200; ++i) {
    const milliseconds spread = jitter.Spread(milliseconds(1000));
    EXPECT_GE(spread.count(), 750);
    EXPECT_LE(spread.count(), 1250);
    seen.insert(spread.count());
  }
  EXPECT_GT(seen.size(), 100u);  // spread, not one value
}

TEST(JitterTest, OneSeedRepeatsItsDelaysAndAnotherDrawsOthers) {
  Jitter first(0.2, 1), again(0.2, 1), other(0.2, 2);
  std::vector<std::int64_t> a, b, c;
  for (int i = 0; i < 20; ++i) {
    a.push_back(first.Spread(milliseconds(1000)).count());
    b.push_back(again.Spread(milliseconds(1000)).count());
    c.push_back(other.Spread(milliseconds(1000)).count());
  }
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
}

TEST(JitterTest, NoSpreadLeavesTheDelay) {
  Jitter jitter(0.0, std::nullopt);
  EXPECT_EQ(jitter.Spread(milliseconds(1234)), milliseconds(1234));
}

}  // namespace
}  // namespace recur::jitter_test
