#include "base/rate_limiter.h"

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace recur::rate_limiter_test {
namespace {

using namespace std::chrono_literals;

const Instant kStart = FromUnixMillis(1'700'000'000'000);

TEST(RateLimiter, AKeySpendsItsWholeBudgetAtOnceAndIsThenToldHowLongToWait) {
  RateLimiter limiter({5, 60s}, 100);
  for (int i = 0; i < 5; ++i) EXPECT_FALSE(limiter.Take("a", kStart)) << i;
  auto wait = limiter.Take("a", kStart);
  ASSERT_TRUE(wait);
  EXPECT_EQ(*wait, 12s);  // one event of five comes back every 12 s
}

TEST(RateLimiter, ARefusedTakeSpendsNothing) {
  RateLimiter limiter({2, 10s}, 100);
  EXPECT_FALSE(limiter.Take("a", kStart));
  EXPECT_FALSE(limiter.Take("a", kStart));
  for (int i = 0; i < 100; ++i) EXPECT_TRUE(limiter.Take("a", kStart + 1s));
  // The refusals did not push the refill back: one event is back 5 s after the start.
  EXPECT_FALSE(limiter.Take("a", kStart + 5s));
}

TEST(RateLimiter, OneEventComesBackEachIntervalUpToTheFullBudget) {
  RateLimiter limiter({3, 3s}, 100);
  for (int i = 0; i < 3; ++i) EXPECT_FALSE(limiter.Take("a", kStart));
  EXPECT_EQ(limiter.Take("a", kStart + 999ms), std::optional(1ms));
  EXPECT_FALSE(limiter.Take("a", kStart + 1s));
  EXPECT_TRUE(limiter.Take("a", kStart + 1s));
  // Long after: the budget is full again, and no more than full.
  for (int i = 0; i < 3; ++i) EXPECT_FALSE(limiter.Take("a", kStart + 1h)) << i;
  EXPECT_TRUE(limiter.Take("a", kStart + 1h));
}

TEST(RateLimiter, AKeyThatKeepsToTheRateIsNeverRefused) {
  RateLimiter limiter({10, 1s}, 100);
  for (int i = 0; i < 1000; ++i) {
    EXPECT_FALSE(limiter.Take("steady", kStart + std::chrono::milliseconds(100 * i))) << i;
  }
}

TEST(RateLimiter, KeysHaveBudgetsOfTheirOwn) {
  RateLimiter limiter({1, 60s}, 100);
  EXPECT_FALSE(limiter.Take("a", kStart));
  EXPECT_TRUE(limiter.Take("a", kStart));
  EXPECT_FALSE(limiter.Take("b", kStart));
}

TEST(RateLimiter, WaitForTellsTheWaitWithoutSpending) {
  RateLimiter limiter({2, 60s}, 100);
  EXPECT_FALSE(limiter.WaitFor("a", kStart));
  EXPECT_EQ(limiter.keys(), 0u);  // asking about an unknown key keeps nothing
  EXPECT_FALSE(limiter.Take("a", kStart));
  EXPECT_FALSE(limiter.WaitFor("a", kStart));
  EXPECT_FALSE(limiter.WaitFor("a", kStart));
  EXPECT_FALSE(limiter.Take("a", kStart));
  EXPECT_EQ(limiter.WaitFor("a", kStart + 10s), std::optional(std::chrono::milliseconds(20s)));
  EXPECT_FALSE(limiter.WaitFor("a", kStart + 30s));
}

TEST(RateLimiter, AClockSetBackMakesNoKeyWaitLongerThanAFullWindow) {
  RateLimiter limiter({2, 60s}, 100);
  EXPECT_FALSE(limiter.Take("a", kStart));
  EXPECT_FALSE(limiter.Take("a", kStart));
  const Instant set_back = kStart - 24h;
  auto wait = limiter.Take("a", set_back);
  ASSERT_TRUE(wait);
  EXPECT_LE(*wait, 60s);
  EXPECT_FALSE(limiter.Take("a", set_back + 60s));
}

TEST(RateLimiter, AFloodOfNewKeysForgetsTheLeastRecentlyUsedAndKeepsTheCap) {
  RateLimiter limiter({1, 60s}, 3);
  EXPECT_FALSE(limiter.Take("kept", kStart));
  EXPECT_FALSE(limiter.Take("old", kStart));
  for (int i = 0; i < 1000; ++i) {
    (void)limiter.WaitFor("kept", kStart);  // in use: stays among the most recent
    EXPECT_FALSE(limiter.Take("flood-" + std::to_string(i), kStart));
    EXPECT_LE(limiter.keys(), 3u);
  }
  EXPECT_TRUE(limiter.Take("kept", kStart));  // still remembered: its budget is spent
  EXPECT_FALSE(limiter.Take("old", kStart));  // forgotten: a full budget again
}

TEST(RateLimiter, TakesFromManyThreadsSpendExactlyTheBudget) {
  RateLimiter limiter({1000, 3600s}, 100);
  std::atomic<int> allowed = 0;
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 500; ++i) {
        if (!limiter.Take("shared", kStart)) ++allowed;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(allowed, 1000);
}

}  // namespace
}  // namespace recur::rate_limiter_test
