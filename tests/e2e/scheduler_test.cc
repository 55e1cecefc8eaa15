// Time-driven transitions through the real `recur serve`: test clocks advancing renewals,
// trial notices, conversions and dunning; the real-time scheduler; and a crash in the middle
// of a large advance.
#include <signal.h>

#include <atomic>
#include <map>
#include <thread>

#include <date/date.h>
#include <gmock/gmock.h>

#include "tests/e2e/fixture.h"

namespace recur::testing::scheduler_test {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

constexpr std::int64_t kDay = 86'400'000;

std::int64_t Millis(date::year_month_day day) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             date::sys_days(day).time_since_epoch())
      .count();
}

std::string IsoDay(std::int64_t ms) {
  return date::format("%F", date::floor<date::days>(FromUnixMillis(ms)));
}

class SchedulerTest : public ServeTest {
 protected:
  // "type@timestamp" of a payer's events, oldest first.
  std::vector<std::pair<std::string, std::int64_t>> Timeline(const std::string& payer) {
    std::vector<std::pair<std::string, std::int64_t>> timeline;
    for (const json& event : Events(payer)) {
      timeline.emplace_back(event["type"].get<std::string>(),
                            event["timestamp"].get<std::int64_t>());
    }
    return timeline;
  }

  // Trial plan with the default notice (3 days before the end).
  void AddTrialPlan() {
    WriteFile(plans_dir() + "/trial14.json",
              R"({"slug": "trial14", "name": "Trial 14", "payer_type": "user", "amount": 1500,
                  "currency": "USD", "free_trial_days": 14})");
  }
};

std::vector<std::string> Types(const std::vector<std::pair<std::string, std::int64_t>>& timeline) {
  std::vector<std::string> types;
  for (const auto& [type, at] : timeline) types.push_back(type);
  return types;
}

TEST_F(SchedulerTest, RenewsMonthlyOnTheAnchorDayClampedToMonthEnd) {
  Serve();
  const std::string clock = NewClock(Millis(date::year{2024} / 1 / 31));
  const std::string payer = NewPayer("user_1", "pm_card_visa", "user", clock);
  ASSERT_EQ(Call("POST", "/v1/payers/" + payer + "/subscription_items",
                 {{"plan", "pro"}, {"free_trial", false}})
                .status,
            200);
  Answer advanced = Advance(clock, Millis(date::year{2024} / 6 / 1));
  ASSERT_EQ(advanced.status, 200) << advanced.body;
  EXPECT_EQ(advanced.body["frozen_time"], Millis(date::year{2024} / 6 / 1));
  EXPECT_EQ(advanced.body["status"], "ready");

  Answer attempts = Call("GET", "/v1/payment_attempts?limit=100&payer_id=" + payer);
  std::vector<std::string> paid;
  for (const json& attempt : attempts.body["data"]) {
    ASSERT_EQ(attempt["status"], "paid");
    paid.insert(paid.begin(), IsoDay(attempt["period_start"]));
  }
  EXPECT_THAT(paid,
              ElementsAre("2024-01-31", "2024-02-29", "2024-03-31", "2024-04-30", "2024-05-31"));
  // Each renewal's events carry the simulated instant it was due, not the real time.
  std::vector<std::string> renewed;
  for (const auto& [type, at] : Timeline(payer)) {
    if (type == "subscriptionItem.updated") renewed.push_back(IsoDay(at));
  }
  EXPECT_THAT(renewed, ElementsAre("2024-02-29", "2024-03-31", "2024-04-30", "2024-05-31"));
  EXPECT_THAT(InvariantViolations(payer), IsEmpty());
}

TEST_F(SchedulerTest, ATrialAnnouncesItsEndAndConverts) {
  AddTrialPlan();
  Serve();
  const std::int64_t start = Millis(date::year{2025} / 3 / 1);
  const std::string clock = NewClock(start);
  const std::string payer = NewPayer("user_1", "pm_card_visa", "user", clock);
  json trial =
      Call("POST", "/v1/payers/" + payer + "/subscription_items", {{"plan", "trial14"}}).body;
  const std::int64_t trial_end = trial["trial_end"];
  EXPECT_EQ(trial_end, start + 14 * kDay);

  ASSERT_EQ(Advance(clock, trial_end - 3 * kDay - 1).status, 200);
  EXPECT_THAT(Types(Timeline(payer)),
              ::testing::Not(::testing::Contains("subscriptionItem.freeTrialEnding")));
  ASSERT_EQ(Advance(clock, trial_end + kDay).status, 200);

  auto timeline = Timeline(payer);
  EXPECT_THAT(
      Types(timeline),
      ElementsAre("subscription.created", "subscriptionItem.active", "subscriptionItem.active",
                  "subscriptionItem.ended", "subscription.updated",
                  "subscriptionItem.freeTrialEnding", "paymentAttempt.created",
                  "paymentAttempt.updated", "subscriptionItem.updated"));
  EXPECT_EQ(timeline[5].second, trial_end - 3 * kDay);  // the notice, exactly 3 days before
  for (std::size_t i = 6; i < timeline.size(); ++i) EXPECT_EQ(timeline[i].second, trial_end);

  json item = Call("GET", "/v1/payers/" + payer + "/subscription").body["items"][0];
  EXPECT_EQ(item["is_free_trial"], false);
  EXPECT_EQ(item["status"], "active");
  EXPECT_EQ(item["period_start"], trial_end);
  EXPECT_EQ(item["period_end"], Millis(date::year{2025} / 4 / 15));
  EXPECT_THAT(InvariantViolations(payer), IsEmpty());
}

TEST_F(SchedulerTest, ADeclinedConversionWalksDunningAndEndsOnTheFreePlan) {
  AddTrialPlan();
  Serve();
  const std::int64_t start = Millis(date::year{2025} / 3 / 1);
  const std::string clock = NewClock(start);
  const std::string payer = NewPayer("user_1", "pm_card_chargeCustomerFail", "user", clock);
  json trial =
      Call("POST", "/v1/payers/" + payer + "/subscription_items", {{"plan", "trial14"}}).body;
  const std::int64_t trial_end = trial["trial_end"];

  ASSERT_EQ(Advance(clock, trial_end + 2 * kDay).status, 200);
  json subscription = Call("GET", "/v1/payers/" + payer + "/subscription").body;
  EXPECT_EQ(subscription["status"], "past_due");
  EXPECT_EQ(subscription["items"][0]["status"], "past_due");
  EXPECT_EQ(subscription["items"][0]["past_due_at"], trial_end);

  ASSERT_EQ(Advance(clock, trial_end + 30 * kDay).status, 200);
  auto timeline = Timeline(payer);
  EXPECT_THAT(
      Types(timeline),
      ElementsAre("subscription.created", "subscriptionItem.active", "subscriptionItem.active",
                  "subscriptionItem.ended", "subscription.updated",
                  "subscriptionItem.freeTrialEnding",
                  // trial end: the conversion is declined
                  "paymentAttempt.created", "paymentAttempt.updated", "subscriptionItem.pastDue",
                  "subscription.pastDue",
                  // retries 1, 3, 5 and 7 days later, the last one giving up
                  "paymentAttempt.created", "paymentAttempt.updated", "paymentAttempt.created",
                  "paymentAttempt.updated", "paymentAttempt.created", "paymentAttempt.updated",
                  "paymentAttempt.created", "paymentAttempt.updated", "subscriptionItem.ended",
                  "subscriptionItem.active", "subscription.active"));
  const std::vector<std::int64_t> retry_days = {1, 3, 5, 7};
  for (std::size_t r = 0; r < retry_days.size(); ++r) {
    EXPECT_EQ(timeline[10 + 2 * r].second, trial_end + retry_days[r] * kDay) << "retry " << r;
  }
  subscription = Call("GET", "/v1/payers/" + payer + "/subscription").body;
  EXPECT_EQ(subscription["status"], "active");
  ASSERT_EQ(subscription["items"].size(), 1u);
  EXPECT_EQ(subscription["items"][0]["plan"]["slug"], "free");
  EXPECT_EQ(Call("GET", "/v1/payers/" + payer + "/entitlements").body["plan"], "free");
  EXPECT_THAT(InvariantViolations(payer), IsEmpty());
}

TEST_F(SchedulerTest, DunningFollowsTheConfiguredScheduleAndAccessSetting) {
  AddTrialPlan();
  RecurServer::Options options = Options();
  options.args = {"--dunning-retries", "12h,2d", "--past-due-access", "revoke"};
  server_ = RecurServer::Start(options);
  ASSERT_TRUE(server_);
  const std::string clock = NewClock(Millis(date::year{2025} / 3 / 1));
  const std::string payer = NewPayer("user_1", "pm_card_chargeCustomerFail", "user", clock);
  json trial =
      Call("POST", "/v1/payers/" + payer + "/subscription_items", {{"plan", "trial14"}}).body;
  const std::int64_t trial_end = trial["trial_end"];

  ASSERT_EQ(Advance(clock, trial_end + 1).status, 200);
  EXPECT_EQ(Call("GET", "/v1/payers/" + payer + "/subscription").body["status"], "past_due");
  EXPECT_EQ(Call("GET", "/v1/payers/" + payer + "/entitlements").body["plan"], "free");  // revoked

  ASSERT_EQ(Advance(clock, trial_end + 3 * kDay).status, 200);
  std::vector<std::int64_t> retries;
  for (const auto& [type, at] : Timeline(payer)) {
    if (type == "paymentAttempt.created" && at > trial_end) retries.push_back(at - trial_end);
  }
  EXPECT_THAT(retries, ElementsAre(12 * 3'600'000LL, 2 * kDay));
  EXPECT_EQ(Call("GET", "/v1/payers/" + payer + "/subscription").body["items"][0]["plan"]["slug"],
            "free");
}

TEST_F(SchedulerTest, RefusesABadDunningSchedule) {
  for (std::vector<std::string> args : {std::vector<std::string>{"--dunning-retries", "3d,1d"},
                                        std::vector<std::string>{"--dunning-retries", ""},
                                        std::vector<std::string>{"--past-due-access", "maybe"}}) {
    RecurServer::Options options = Options();
    options.args = args;
    int exit_code = 0;
    std::string output;
    EXPECT_EQ(RecurServer::Start(options, &exit_code, &output), nullptr);
    EXPECT_EQ(exit_code, 2) << output;
  }
}

TEST_F(SchedulerTest, TestClocksOnlyMoveForward) {
  Serve();
  const std::string clock = NewClock(Millis(date::year{2025} / 1 / 1));
  Answer back = Advance(clock, Millis(date::year{2024} / 1 / 1));
  EXPECT_EQ(back.status, 400);
  EXPECT_EQ(back.body["error"]["code"], "invalid_frozen_time");
  EXPECT_EQ(Call("GET", "/v1/test_clocks/" + clock).body["frozen_time"],
            Millis(date::year{2025} / 1 / 1));
  EXPECT_EQ(Call("DELETE", "/v1/test_clocks/" + clock).body["status"], "deleted");
  EXPECT_EQ(Advance(clock, Millis(date::year{2026} / 1 / 1)).body["error"]["code"],
            "test_clock_deleted");
  EXPECT_EQ(Call("GET", "/v1/test_clocks/clock_nope").status, 404);
  EXPECT_EQ(Call("POST", "/v1/payers",
                 {{"external_id", "u"},
                  {"type", "user"},
                  {"email", "u@example.com"},
                  {"test_clock", "clock_nope"}})
                .body["error"]["code"],
            "test_clock_not_found");
}

TEST_F(SchedulerTest, TheRealTimeSchedulerSendsANoticeDueAtOnce) {
  // A two-day trial with the default three-day notice: the notice is due as the trial starts.
  WriteFile(plans_dir() + "/short.json",
            R"({"slug": "short", "name": "Short", "payer_type": "user", "amount": 900,
                "currency": "USD", "free_trial_days": 2})");
  Serve();
  const std::string payer = NewPayer("user_1", "pm_card_visa");
  ASSERT_EQ(Call("POST", "/v1/payers/" + payer + "/subscription_items", {{"plan", "short"}}).status,
            200);
  std::vector<std::string> types;
  EXPECT_TRUE(WaitUntil("the trial-ending notice", [&] {
    types = Types(Timeline(payer));
    return types.back() == "subscriptionItem.freeTrialEnding";
  }));
  EXPECT_EQ(std::count(types.begin(), types.end(), "subscriptionItem.freeTrialEnding"), 1);
}

TEST_F(SchedulerTest, AKilledAdvanceResumesWithoutLosingOrRepeatingAnything) {
  AddTrialPlan();
  Serve();
  const std::int64_t start = Millis(date::year{2025} / 3 / 1);
  const std::string clock = NewClock(start);
  constexpr int kPayers = 2000;
  std::atomic<int> next = 0;
  std::vector<std::thread> creators;
  for (int t = 0; t < 8; ++t) {
    creators.emplace_back([&] {
      for (int i = next++; i < kPayers; i = next++) {
        const std::string payer =
            NewPayer("user_" + std::to_string(i), "pm_card_visa", "user", clock);
        if (Call("POST", "/v1/payers/" + payer + "/subscription_items", {{"plan", "trial14"}})
                .status != 200) {
          throw std::runtime_error("subscribe failed");
        }
      }
    });
  }
  for (std::thread& creator : creators) creator.join();

  // Advance past every trial end in the background and kill the server while it works.
  const std::int64_t target = start + 20 * kDay;
  std::thread advance([&] {
    auto client = server_->Client();
    client.Post("/v1/test_clocks/" + clock + "/advance", Auth(),
                json{{"frozen_time", target}}.dump(), "application/json");
  });
  const std::string paid = "SELECT COUNT(*) FROM payment_attempts WHERE status = 'paid'";
  PollUntil([&] { return StoredNumber(paid) >= kPayers / 3; }, 60s);
  server_->Signal(SIGKILL);
  EXPECT_EQ(server_->WaitForExit(10s), 128 + SIGKILL);
  advance.join();
  EXPECT_LT(StoredNumber(paid), kPayers) << "the kill came too late to test anything";

  server_.reset();
  Serve();
  Answer resumed = Advance(clock, target);
  ASSERT_EQ(resumed.status, 200) << resumed.body;

  EXPECT_EQ(StoredNumber("SELECT COUNT(*) FROM payment_attempts"), kPayers);
  EXPECT_EQ(StoredNumber(paid), kPayers);
  EXPECT_EQ(StoredNumber("SELECT COUNT(DISTINCT item_id) FROM payment_attempts"), kPayers);
  // Per payer: exactly one notice, one conversion; no event missing or doubled.
  EXPECT_EQ(StoredNumber("SELECT COUNT(DISTINCT payer_id) FROM events"), kPayers);
  auto once = [](const char* type) {
    return "SUM(CASE WHEN type = '" + std::string(type) + "' THEN 1 ELSE 0 END) <> 1 OR ";
  };
  EXPECT_EQ(StoredNumber("SELECT COUNT(*) FROM (SELECT payer_id FROM events GROUP BY payer_id "
                         "HAVING " +
                         once("subscriptionItem.freeTrialEnding") + once("paymentAttempt.created") +
                         once("paymentAttempt.updated") + once("subscriptionItem.updated") +
                         "COUNT(*) <> 9) AS wrong"),
            0)
      << "payers without exactly one notice, one conversion and nine events in all";
  EXPECT_EQ(StoredNumber("SELECT COUNT(*) FROM due_work WHERE done_at IS NULL AND due_at <= " +
                         std::to_string(target)),
            0);
}

}  // namespace
}  // namespace recur::testing::scheduler_test
