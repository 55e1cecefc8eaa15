// Statements through the real `recur serve`: a payer's payment attempts grouped by billing
// cycle (domain/subscriptions/statement.h), read with GET /v1/payers/{id}/statements and
// GET /v1/statements/{id}, with the statement id on each attempt and its events.
#include <map>
#include <set>

#include <date/date.h>
#include <gmock/gmock.h>

#include "tests/e2e/fixture.h"

namespace recur::testing::statements_test {
namespace {

using nlohmann::json;
using ::testing::ElementsAre;
using ::testing::SizeIs;

constexpr std::int64_t kDay = 86'400'000;

std::int64_t Millis(date::year_month_day day) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             date::sys_days(day).time_since_epoch())
      .count();
}

class StatementsTest : public ServeTest {
 protected:
  // Every attempt of a statement, oldest first, as its groups list them (newest day first).
  static std::vector<json> AttemptsOf(const json& statement) {
    std::vector<json> attempts;
    for (auto group = statement["groups"].rbegin(); group != statement["groups"].rend(); ++group) {
      EXPECT_EQ((*group)["object"], "commerce_statement_group");
      for (const json& attempt : (*group)["items"]) attempts.push_back(attempt);
    }
    return attempts;
  }

  // The statement_id of each paymentAttempt.* event of the payer, by attempt id.
  std::map<std::string, std::set<std::string>> EventStatements(const std::string& payer) {
    std::map<std::string, std::set<std::string>> statements;
    for (const json& event : Events(payer)) {
      if (!event["type"].get<std::string>().starts_with("paymentAttempt.")) continue;
      statements[event["data"]["id"]].insert(event["data"]["statement_id"]);
    }
    return statements;
  }
};

TEST_F(StatementsTest, ATrialThatConvertsAndRenewsTwiceHasOneStatementPerPaidCycle) {
  Serve();
  const std::int64_t start = Millis(date::year{2025} / 1 / 10);
  const std::string clock = NewClock(start);
  const std::string payer = NewPayer("user_1", "pm_card_visa", "user", clock);
  json trial = Call("POST", "/v1/payers/" + payer + "/subscription_items", {{"plan", "pro"}}).body;
  const std::int64_t trial_end = trial["trial_end"];
  EXPECT_THAT(Call("GET", "/v1/payers/" + payer + "/statements").body["data"], SizeIs(0))
      << "a trial charges nothing";

  // Converts at the trial's end (Jan 24), renews Feb 24 and Mar 24.
  const std::int64_t renewed_twice = Millis(date::year{2025} / 3 / 25);
  ASSERT_EQ(Advance(clock, renewed_twice).status, 200);
  Answer listed = Call("GET", "/v1/payers/" + payer + "/statements");
  ASSERT_EQ(listed.status, 200) << listed.body;
  EXPECT_EQ(listed.body["object"], "list");
  EXPECT_FALSE(listed.body["has_more"].get<bool>());
  const json& statements = listed.body["data"];
  ASSERT_THAT(statements, SizeIs(3));
  const std::vector<std::int64_t> cycles = {Millis(date::year{2025} / 3 / 24),
                                            Millis(date::year{2025} / 2 / 24), trial_end};
  for (std::size_t i = 0; i < 3; ++i) {
    const json& statement = statements[i];
    SCOPED_TRACE(statement.dump());
    EXPECT_EQ(statement["object"], "commerce_statement");
    EXPECT_EQ(statement["payer_id"], payer);
    EXPECT_EQ(statement["payer"]["id"], payer);
    EXPECT_EQ(statement["period_start"], cycles[i]);
    EXPECT_EQ(statement["status"], i == 0 ? "open" : "closed");
    EXPECT_EQ(statement["totals"]["grand_total"]["amount"], 2000);
    EXPECT_EQ(statement["totals"]["tax_total"]["amount"], 0);
    const std::vector<json> attempts = AttemptsOf(statement);
    ASSERT_THAT(attempts, SizeIs(1));
    EXPECT_EQ(attempts[0]["status"], "paid");
    EXPECT_EQ(attempts[0]["statement_id"], statement["id"]);
    EXPECT_EQ(attempts[0]["period_start"], cycles[i]);
    EXPECT_EQ(statement["timestamp"], cycles[i]) << "made when its cycle's charge was";
  }

  // Each attempt, as the attempts list and its events give it, names its statement.
  const auto event_statements = EventStatements(payer);
  Answer attempts = Call("GET", "/v1/payment_attempts?payer_id=" + payer);
  ASSERT_THAT(attempts.body["data"], SizeIs(3));
  for (std::size_t i = 0; i < 3; ++i) {
    const json& attempt = attempts.body["data"][i];
    EXPECT_EQ(attempt["statement_id"], statements[i]["id"]);
    EXPECT_THAT(event_statements.at(attempt["id"]),
                ElementsAre(statements[i]["id"].get<std::string>()));
  }

  // One statement by its id, and the pages of the list.
  Answer one = Call("GET", "/v1/statements/" + statements[1]["id"].get<std::string>());
  ASSERT_EQ(one.status, 200) << one.body;
  EXPECT_EQ(one.body, statements[1]);
  Answer first = Call("GET", "/v1/payers/" + payer + "/statements?limit=2");
  ASSERT_THAT(first.body["data"], SizeIs(2));
  EXPECT_TRUE(first.body["has_more"].get<bool>());
  Answer rest = Call("GET", "/v1/payers/" + payer + "/statements?limit=2&starting_after=" +
                                first.body["data"][1]["id"].get<std::string>());
  ASSERT_THAT(rest.body["data"], SizeIs(1));
  EXPECT_EQ(rest.body["data"][0], statements[2]);
  EXPECT_FALSE(rest.body["has_more"].get<bool>());

  // The last cycle is open until it ends, when the next renewal opens the next.
  const std::string last = statements[0]["id"];
  ASSERT_EQ(Advance(clock, Millis(date::year{2025} / 4 / 24) - 1).status, 200);
  EXPECT_EQ(Call("GET", "/v1/statements/" + last).body["status"], "open");
  ASSERT_EQ(Advance(clock, Millis(date::year{2025} / 4 / 24)).status, 200);
  EXPECT_EQ(Call("GET", "/v1/statements/" + last).body["status"], "closed");
  listed = Call("GET", "/v1/payers/" + payer + "/statements");
  ASSERT_THAT(listed.body["data"], SizeIs(4));
  EXPECT_EQ(listed.body["data"][0]["status"], "open");
  EXPECT_EQ(listed.body["data"][0]["period_start"], Millis(date::year{2025} / 4 / 24));
}

TEST_F(StatementsTest, ADeclinedThenRecoveredConversionShowsBothAttemptsOnOneStatement) {
  Serve();
  const std::string clock = NewClock(Millis(date::year{2025} / 3 / 1));
  const std::string payer = NewPayer("user_1", "pm_card_chargeCustomerFail", "user", clock);
  json trial = Call("POST", "/v1/payers/" + payer + "/subscription_items", {{"plan", "pro"}}).body;
  const std::int64_t trial_end = trial["trial_end"];
  ASSERT_EQ(Advance(clock, trial_end + kDay / 2).status, 200);  // the conversion is declined
  ASSERT_EQ(Call("POST", "/v1/payers/" + payer + "/payment_methods",
                 {{"token", "pm_card_visa"}, {"default", true}})
                .status,
            200);
  ASSERT_EQ(Advance(clock, trial_end + 2 * kDay).status, 200);  // the first retry pays
  EXPECT_EQ(Call("GET", "/v1/payers/" + payer + "/subscription").body["status"], "active");

  Answer listed = Call("GET", "/v1/payers/" + payer + "/statements");
  ASSERT_EQ(listed.status, 200) << listed.body;
  ASSERT_THAT(listed.body["data"], SizeIs(1));
  const json& statement = listed.body["data"][0];
  EXPECT_EQ(statement["status"], "open");
  EXPECT_EQ(statement["period_start"], trial_end);
  EXPECT_EQ(statement["totals"]["grand_total"]["amount"], 2000) << "what was paid, once";
  const std::vector<json> attempts = AttemptsOf(statement);
  ASSERT_THAT(attempts, SizeIs(2));
  EXPECT_EQ(attempts[0]["status"], "failed");
  EXPECT_EQ(attempts[1]["status"], "paid");
  ASSERT_THAT(statement["groups"], SizeIs(2)) << "made on two days";
  EXPECT_EQ(statement["groups"][0]["timestamp"],
            (trial_end + kDay) / kDay * kDay);  // the retry's day first
  for (const auto& [attempt, ids] : EventStatements(payer)) {
    EXPECT_THAT(ids, ElementsAre(statement["id"].get<std::string>())) << attempt;
  }
}

TEST_F(StatementsTest, APayerSessionReadsOnlyItsOwnStatements) {
  Serve();
  const std::string payer = NewPayer("user_1", "pm_card_visa");
  const std::string other = NewPayer("user_2", "pm_card_visa");
  for (const std::string& who : {payer, other}) {
    ASSERT_EQ(Call("POST", "/v1/payers/" + who + "/subscription_items",
                   {{"plan", "pro"}, {"free_trial", false}})
                  .status,
              200);
  }
  const std::string mine = Call("GET", "/v1/payers/" + payer + "/statements").body["data"][0]["id"];
  const std::string theirs =
      Call("GET", "/v1/payers/" + other + "/statements").body["data"][0]["id"];
  const std::string session = Call("POST", "/v1/payers/" + payer + "/sessions").body["token"];
  auto client = server_->Client();
  const httplib::Headers as_payer{{"Authorization", "Bearer " + session}};
  auto own = client.Get("/v1/statements/" + mine, as_payer);
  ASSERT_TRUE(own);
  EXPECT_EQ(own->status, 200) << own->body;
  auto list = client.Get("/v1/payers/" + payer + "/statements", as_payer);
  ASSERT_TRUE(list);
  EXPECT_EQ(list->status, 200);
  for (const std::string& path :
       std::vector<std::string>{"/v1/statements/" + theirs, "/v1/statements/stmt_none"}) {
    auto refused = client.Get(path, as_payer);
    ASSERT_TRUE(refused);
    EXPECT_EQ(refused->status, 404) << path;
    EXPECT_EQ(json::parse(refused->body)["error"]["code"], "statement_not_found") << path;
  }
  auto no_key = client.Get("/v1/statements/" + mine);
  ASSERT_TRUE(no_key);
  EXPECT_EQ(no_key->status, 401);
  EXPECT_EQ(Call("GET", "/v1/statements/stmt_none").status, 404);
  EXPECT_EQ(Call("GET", "/v1/payers/cpayer_none/statements").status, 404);
  EXPECT_EQ(Call("GET", "/v1/payers/" + payer + "/statements?limit=0").status, 400);
  EXPECT_EQ(Call("GET", "/v1/payers/" + payer + "/statements?starting_after=stmt_none").status,
            400);
}

// A declined checkout in dollars, then one in euros at the same instant: both charge periods
// that start then, and each currency has its own statement with its own totals.
TEST_F(StatementsTest, PlansOfTwoCurrenciesChargedForOneCycleMakeOneStatementPerCurrency) {
  WriteFile(plans_dir() + "/pro-euro.json", R"json({
    "slug": "pro-euro", "name": "Pro (EUR)", "payer_type": "user",
    "amount": 1800, "annual_amount": 17280, "currency": "EUR",
    "features": [{"slug": "projects", "limit": 20}]
  })json");
  Serve();
  const std::int64_t now = Millis(date::year{2025} / 5 / 1);
  const std::string clock = NewClock(now);
  const std::string payer = NewPayer("user_1", "pm_card_chargeCustomerFail", "user", clock);
  Answer declined = Call("POST", "/v1/payers/" + payer + "/subscription_items",
                         {{"plan", "business"}, {"free_trial", false}});
  ASSERT_EQ(declined.status, 402) << declined.body;
  ASSERT_EQ(Call("POST", "/v1/payers/" + payer + "/payment_methods",
                 {{"token", "pm_card_visa"}, {"default", true}})
                .status,
            200);
  Answer paid = Call("POST", "/v1/payers/" + payer + "/subscription_items", {{"plan", "pro-euro"}});
  ASSERT_EQ(paid.status, 200) << paid.body;

  Answer listed = Call("GET", "/v1/payers/" + payer + "/statements");
  ASSERT_EQ(listed.status, 200) << listed.body;
  ASSERT_THAT(listed.body["data"], SizeIs(2));
  std::map<std::string, json> by_currency;
  for (const json& statement : listed.body["data"]) {
    EXPECT_EQ(statement["period_start"], now);
    const std::vector<json> attempts = AttemptsOf(statement);
    ASSERT_THAT(attempts, SizeIs(1));
    by_currency[attempts[0]["currency"]] = statement;
    EXPECT_EQ(statement["totals"]["grand_total"]["currency"], attempts[0]["currency"]);
    Answer one = Call("GET", "/v1/statements/" + statement["id"].get<std::string>());
    EXPECT_EQ(one.status, 200) << one.body;
  }
  ASSERT_TRUE(by_currency.contains("USD") && by_currency.contains("EUR"));
  EXPECT_EQ(by_currency["USD"]["totals"]["grand_total"]["amount"], 0) << "declined: nothing paid";
  EXPECT_EQ(by_currency["EUR"]["totals"]["grand_total"]["amount"], 1800);
  EXPECT_NE(by_currency["USD"]["id"], by_currency["EUR"]["id"]);
}

}  // namespace
}  // namespace recur::testing::statements_test
