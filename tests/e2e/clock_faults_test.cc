// The wall clock stepping back under the real `recur serve`: the server reads the time of its
// billing from the system clock, which an operator (or NTP) may step back. The test steps the
// server's clock with a preloaded library (tests/support/shifted_wall_clock.cc): a month ahead, so
// a renewal falls due and is charged; back to now, a month before that renewal; ahead again past
// it, then past the next. Each renewal is charged once, none twice and none skipped, and requests
// keep being answered while the clock is behind (their deadlines run on the monotonic clock).
#include <cstdlib>
#include <filesystem>

#include <gmock/gmock.h>

#include "tests/e2e/fixture.h"

namespace recur::testing::clock_faults_test {
namespace {

using ::testing::IsEmpty;

constexpr std::int64_t kDayMs = 24LL * 3600 * 1000;

class ClockFaultsTest : public ServeTest {
 protected:
  // The payer's payment attempts, newest first.
  nlohmann::json Attempts(const std::string& payer) {
    return Call("GET", "/v1/payment_attempts?payer_id=" + payer).body["data"];
  }

  // Waits until the payer has `count` payment attempts, all settled.
  ::testing::AssertionResult WaitForSettledAttempts(const std::string& payer, std::size_t count) {
    return WaitUntil(std::to_string(count) + " settled payment attempts", [&] {
      const nlohmann::json attempts = Attempts(payer);
      if (attempts.size() != count) return false;
      for (const nlohmann::json& attempt : attempts) {
        if (attempt["status"] == "pending") return false;
      }
      return true;
    });
  }
};

TEST_F(ClockFaultsTest, AClockSteppedBackChargesNoRenewalTwiceAndSkipsNone) {
  ServeOnShiftedClock();
  const std::string payer = NewPayer("user_1", "pm_card_visa");
  const Answer item = Call("POST", "/v1/payers/" + payer + "/subscription_items",
                           {{"plan", "business"}, {"interval", "month"}});
  ASSERT_EQ(item.status, 200) << item.body;
  ASSERT_EQ(Attempts(payer).size(), 1u);

  // A month and a day ahead: the first renewal is charged.
  StepClockTo(32 * kDayMs);
  ASSERT_TRUE(WaitForSettledAttempts(payer, 2));

  // Back to now, a month before the renewal that was charged: the server answers, and what it
  // writes is kept.
  StepClockTo(0);
  EXPECT_EQ(Call("GET", "/v1/payers/" + payer + "/subscription").status, 200);
  const std::string later_payer = NewPayer("user_2");
  EXPECT_EQ(Call("GET", "/v1/payers/" + later_payer).status, 200);

  // Ahead again to where the clock was, then past the second renewal: it alone is charged.
  StepClockTo(33 * kDayMs);
  EXPECT_EQ(Call("GET", "/v1/payers/" + payer + "/entitlements").body["plan"], "business");
  StepClockTo(64 * kDayMs);
  ASSERT_TRUE(WaitForSettledAttempts(payer, 3));

  // Three paid periods, each starting where the one before ended (newest first).
  const nlohmann::json attempts = Attempts(payer);
  ASSERT_EQ(attempts.size(), 3u);
  for (const nlohmann::json& attempt : attempts) EXPECT_EQ(attempt["status"], "paid") << attempt;
  EXPECT_EQ(attempts[0]["period_start"], attempts[1]["period_end"]);
  EXPECT_EQ(attempts[1]["period_start"], attempts[2]["period_end"]);
  EXPECT_EQ(Call("GET", "/v1/payers/" + payer + "/entitlements").body["plan"], "business");
  EXPECT_THAT(InvariantViolations(payer), IsEmpty());
}

}  // namespace
}  // namespace recur::testing::clock_faults_test
