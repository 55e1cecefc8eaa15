// The operator's reports through the real `recur serve`: GET /v1/overview over a test clock's
// payers (trials that convert or are declined, an annual plan, a trial still running) and over
// the payers on real time, never mixed; GET /v1/catalog with price versions and archived plans.
#include <fstream>

#include <date/date.h>
#include <gmock/gmock.h>

#include "tests/e2e/fixture.h"

namespace recur::testing::overview_test {
namespace {

using nlohmann::json;
using ::testing::SizeIs;

constexpr std::int64_t kHour = 3'600'000;
constexpr std::int64_t kDay = 24 * kHour;

std::int64_t Millis(date::year_month_day day) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             date::sys_days(day).time_since_epoch())
      .count();
}

json Usd(std::int64_t amount) {
  return json::array({{{"currency", "USD"},
                       {"amount", amount},
                       {"amount_formatted", "$" + std::to_string(amount / 100) + ".00"}}});
}

class OverviewTest : public ServeTest {
 protected:
  void Subscribe(const std::string& payer, const json& body) {
    Answer answer = Call("POST", "/v1/payers/" + payer + "/subscription_items", body);
    ASSERT_EQ(answer.status, 200) << answer.body.dump();
  }

  // The series entry of `date`.
  static json Day(const json& overview, const std::string& date) {
    for (const json& day : overview["series"]) {
      if (day["date"] == date) return day;
    }
    ADD_FAILURE() << "no series entry for " << date;
    return json::object();
  }
};

TEST_F(OverviewTest, ATestClocksPayersGiveItsFiguresAndTheRealTimePayersTheirOwn) {
  Serve();
  const std::int64_t start = Millis(date::year{2025} / 1 / 10) + 12 * kHour;
  const std::string clock = NewClock(start);
  const std::string converts = NewPayer("user_converts", "pm_card_visa", "user", clock);
  Subscribe(converts, {{"plan", "pro"}});  // a 14-day trial, ending Jan 24
  const std::string declined =
      NewPayer("user_declined", "pm_card_chargeCustomerFail", "user", clock);
  Subscribe(declined, {{"plan", "pro"}});
  const std::string annual = NewPayer("user_annual", "pm_card_visa", "user", clock);
  Subscribe(annual, {{"plan", "business"}, {"interval", "annual"}});  // 48000 a year, paid now
  ASSERT_EQ(Advance(clock, start + 10 * kDay).status, 200);
  const std::string trialing = NewPayer("user_trialing", "pm_card_visa", "user", clock);
  Subscribe(trialing, {{"plan", "pro"}});                    // Jan 20: in its trial until Feb 3
  ASSERT_EQ(Advance(clock, start + 15 * kDay).status, 200);  // Jan 25, noon
  // A payer on real time, which the clock's overview must not count.
  Subscribe(NewPayer("user_real_time", "pm_card_visa"), {{"plan", "business"}});

  Answer answer = Call("GET", "/v1/overview?test_clock=" + clock);
  ASSERT_EQ(answer.status, 200) << answer.body.dump();
  const json& overview = answer.body;
  EXPECT_EQ(overview["as_of"], start + 15 * kDay);
  EXPECT_EQ(overview["days"], 30);
  EXPECT_EQ(overview["mrr"], Usd(2000 + 4000)) << "the converted trial and a twelfth of 48000";
  EXPECT_EQ(overview["paying_payers"], 2);
  EXPECT_EQ(overview["active_trials"], 1);
  EXPECT_EQ(overview["past_due_payers"], 1) << "the declined conversion";
  EXPECT_EQ(overview["trial_conversion"], (json{{"trials_ended", 2}, {"converted", 1}}));
  EXPECT_EQ(overview["failing_webhook_endpoints"], 0);
  ASSERT_THAT(overview["series"], SizeIs(30));
  EXPECT_EQ(overview["series"].front()["date"], "2024-12-27");
  EXPECT_EQ(overview["series"].back()["date"], "2025-01-25");
  EXPECT_EQ(Day(overview, "2025-01-09")["mrr"], json::array());
  EXPECT_EQ(Day(overview, "2025-01-10")["mrr"], Usd(4000));
  EXPECT_EQ(Day(overview, "2025-01-10")["signups"], 3);
  EXPECT_EQ(Day(overview, "2025-01-20")["signups"], 1);
  EXPECT_EQ(Day(overview, "2025-01-23")["mrr"], Usd(4000));
  EXPECT_EQ(Day(overview, "2025-01-24")["mrr"], Usd(6000));
  EXPECT_EQ(Day(overview, "2025-01-24")["conversions"], 1);
  EXPECT_EQ(overview["series"].back()["mrr"], overview["mrr"]);

  Answer real_time = Call("GET", "/v1/overview?days=7");
  ASSERT_EQ(real_time.status, 200) << real_time.body.dump();
  EXPECT_EQ(real_time.body["mrr"], Usd(5000));
  EXPECT_EQ(real_time.body["paying_payers"], 1);
  EXPECT_EQ(real_time.body["active_trials"], 0);
  ASSERT_THAT(real_time.body["series"], SizeIs(7));
  EXPECT_EQ(real_time.body["series"].back()["signups"], 1);
}

TEST_F(OverviewTest, ABadWindowOrAnUnknownClockIsRefusedNamingTheParameter) {
  Serve();
  for (const char* days : {"0", "367", "7.5", "x", ""}) {
    Answer answer = Call("GET", std::string("/v1/overview?days=") + days);
    EXPECT_EQ(answer.status, 400) << days;
    EXPECT_EQ(answer.body["error"]["code"], "invalid_parameter") << days;
    EXPECT_EQ(answer.body["error"]["param"], "days") << days;
  }
  Answer unknown = Call("GET", "/v1/overview?test_clock=clock_nope");
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(unknown.body["error"]["code"], "test_clock_not_found");
  EXPECT_EQ(unknown.body["error"]["param"], "test_clock");
  EXPECT_EQ(Call("GET", "/v1/overview?day=3").body["error"]["code"], "unknown_parameter");
}

TEST_F(OverviewTest, TheCatalogListsEveryPlanWithItsPriceVersionsAndArchivedPlansLast) {
  Serve();
  // Pro repriced, and the team plan removed from the files: a new version, and an archived plan.
  {
    std::ifstream in(plans_dir() + "/pro.json");
    json pro = json::parse(in);
    pro["amount"] = 2500;
    std::ofstream(plans_dir() + "/pro.json") << pro.dump();
  }
  std::filesystem::remove(plans_dir() + "/team.json");
  ASSERT_EQ(Call("POST", "/v1/plans/reload", json::object()).status, 200);

  Answer answer = Call("GET", "/v1/catalog");
  ASSERT_EQ(answer.status, 200) << answer.body.dump();
  EXPECT_EQ(answer.body["object"], "catalog");
  std::vector<std::string> slugs;
  for (const json& plan : answer.body["plans"]) slugs.push_back(plan["slug"]);
  EXPECT_EQ(slugs, (std::vector<std::string>{"free", "pro", "business", "org-free", "team"}));
  const json& pro = answer.body["plans"][1];
  EXPECT_EQ(pro["amount"], 2500);
  EXPECT_EQ(pro["archived_at"], nullptr);
  ASSERT_THAT(pro["versions"], SizeIs(2));
  EXPECT_EQ(pro["versions"][0]["amount"], 2000);
  EXPECT_EQ(pro["versions"][1]["amount"], 2500);
  EXPECT_EQ(pro["versions"][1]["id"], pro["id"]) << "the plan's id is its current version";
  const json& team = answer.body["plans"][4];
  EXPECT_TRUE(team["archived_at"].is_number());
  EXPECT_THAT(team["versions"], SizeIs(1));
}

}  // namespace
}  // namespace recur::testing::overview_test
