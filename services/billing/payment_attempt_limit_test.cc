#include "services/billing/payment_attempt_limit.h"

#include <gtest/gtest.h>

namespace recur::payment_attempt_limit_test {
namespace {

using namespace std::chrono_literals;

TEST(PaymentAttemptLimit, RefusesAPayerPastItsAttemptsNamingTheLimitAndTheWait) {
  ManualClock clock(FromUnixMillis(1'700'000'000'000));
  PaymentAttemptLimit limit({3, 1h}, clock);
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(limit.Take("cpayer_1")) << i;
  auto refused = limit.Take("cpayer_1");
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().kind, ErrorKind::kRateLimited);
  EXPECT_EQ(refused.error().code, "rate_limited");
  EXPECT_EQ(refused.error().param, "payer_id");
  EXPECT_EQ(refused.error().retry_after, 1200s);  // one attempt of three is back every 20 min
  EXPECT_NE(refused.error().message.find("cpayer_1"), std::string::npos);
  EXPECT_NE(refused.error().message.find("3/1h per payer"), std::string::npos);
  EXPECT_NE(refused.error().message.find("retry in 1200 s"), std::string::npos);
}

TEST(PaymentAttemptLimit, APayerHasAttemptsAgainOnceTheClockMoves) {
  ManualClock clock(FromUnixMillis(1'700'000'000'000));
  PaymentAttemptLimit limit({1, 1h}, clock);
  EXPECT_TRUE(limit.Take("cpayer_1"));
  EXPECT_FALSE(limit.Take("cpayer_1"));
  clock.Advance(59min);
  EXPECT_FALSE(limit.Take("cpayer_1"));
  clock.Advance(1min);
  EXPECT_TRUE(limit.Take("cpayer_1"));
}

TEST(PaymentAttemptLimit, OnePayerUsingItsAttemptsLeavesAnothersAlone) {
  ManualClock clock(FromUnixMillis(1'700'000'000'000));
  PaymentAttemptLimit limit({1, 1h}, clock);
  EXPECT_TRUE(limit.Take("cpayer_1"));
  EXPECT_FALSE(limit.Take("cpayer_1"));
  EXPECT_TRUE(limit.Take("cpayer_2"));
}

}  // namespace
}  // namespace recur::payment_attempt_limit_test
