// A subscription's life through `recur serve --gateway stripe` against the fake Stripe, on a
// test clock: a trial converts and renews twice (one PaymentIntent each, with its attempt's
// metadata and a key of its own); a declined conversion walks the dunning schedule to the
// free plan; a renewal declined for want of funds walks it too, with its decline code on the
// attempt and its events;
// an upgrade mid-period charges the prorated difference once; and an off-session charge that
// asks for 3-D Secure fails as authentication_required, naming its PaymentIntent.
#include <set>
#include <string>
#include <vector>

#include <gmock/gmock.h>

#include "tests/e2e/stripe_fixture.h"

namespace recur::testing::stripe_scenarios_test {
namespace {

using nlohmann::json;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

constexpr std::int64_t kDay = kStripeDay;
// The events of a charge declined (a conversion's or a renewal's), then dunning's retries 1, 3,
// 5 and 7 days later, the last one giving up: the item ends and the payer is back on free.
const std::vector<std::string> kDeclinedThenDunnedToFree = {
    "paymentAttempt.created", "paymentAttempt.updated",  "subscriptionItem.pastDue",
    "subscription.pastDue",   "paymentAttempt.created",  "paymentAttempt.updated",
    "paymentAttempt.created", "paymentAttempt.updated",  "paymentAttempt.created",
    "paymentAttempt.updated", "paymentAttempt.created",  "paymentAttempt.updated",
    "subscriptionItem.ended", "subscriptionItem.active", "subscription.active"};

class StripeScenariosTest : public StripeServeFixture {
 protected:
  // The trial plan of the scheduler's tests: 1500 USD a month after 14 days.
  void AddTrialPlan() {
    WriteFile(plans_dir() + "/trial14.json",
              R"({"slug": "trial14", "name": "Trial 14", "payer_type": "user", "amount": 1500,
                  "currency": "USD", "free_trial_days": 14})");
  }

  // Makes `token` (one of Stripe's test PaymentMethods) the payer's default card.
  void SwitchCard(const std::string& payer, const std::string& token) {
    const Answer saved = Call("POST", "/v1/payers/" + payer + "/payment_methods",
                              {{"payment_method", token}, {"default", true}});
    ASSERT_EQ(saved.status, 200) << saved.body;
  }

  // Checks that each attempt is the PaymentIntent beside it: its id, the attempt's metadata and
  // key, the payer's Customer.
  void ExpectChargedAs(const std::string& payer, const std::vector<json>& attempts,
                       const std::vector<FakePaymentIntent>& intents) {
    ASSERT_EQ(attempts.size(), intents.size());
    const std::string customer =
        StoredText("SELECT gateway_customer_id FROM payers WHERE id = " + Quoted(payer));
    for (std::size_t i = 0; i < intents.size(); ++i) {
      const std::string attempt = attempts[i]["id"];
      EXPECT_EQ(attempts[i]["gateway_external_id"], intents[i].id) << attempt;
      EXPECT_EQ(intents[i].customer, customer);
      EXPECT_EQ(intents[i].currency, "usd");
      EXPECT_EQ(intents[i].metadata.at("recur_payer_id"), payer);
      EXPECT_EQ(intents[i].metadata.at("recur_attempt_id"), attempt);
      const std::string key =
          StoredText("SELECT idempotency_key FROM payment_attempts WHERE id = " + Quoted(attempt));
      EXPECT_EQ(intents[i].idempotency_key, key) << attempt;
      EXPECT_EQ(intents[i].metadata.at("recur_idempotency_key"), key);
      EXPECT_EQ(intents[i].metadata.at("recur_item_id"),
                attempts[i]["subscription_item_id"].get<std::string>());
      EXPECT_EQ(intents[i].metadata.at("recur_period_start"),
                std::to_string(attempts[i]["period_start"].get<std::int64_t>() / 1000));
      EXPECT_EQ(intents[i].metadata.at("recur_period_end"),
                std::to_string(attempts[i]["period_end"].get<std::int64_t>() / 1000));
    }
  }

  // The payer's event types, oldest first, from `from` on.
  std::vector<std::string> TypesFrom(const std::string& payer, std::size_t from) {
    std::vector<std::string> types = EventTypes(payer);
    types.erase(types.begin(), types.begin() + static_cast<std::ptrdiff_t>(from));
    return types;
  }
};

TEST_F(StripeScenariosTest, ATrialConvertsThenRenewsTwiceOnePaymentIntentEach) {
  AddTrialPlan();
  server_ = RecurServer::Start(StripeOptions());
  ASSERT_NE(server_, nullptr);
  const std::int64_t start = MillisOf(date::year{2025} / 3 / 1);
  const std::string clock = NewClock(start);
  const std::string payer = NewPayer("user_1", "pm_card_visa", "user", clock);
  const Answer trial =
      Call("POST", "/v1/payers/" + payer + "/subscription_items", {{"plan", "trial14"}});
  ASSERT_EQ(trial.status, 200) << trial.body;
  const std::int64_t trial_end = trial.body["trial_end"];
  ASSERT_EQ(trial_end, MillisOf(date::year{2025} / 3 / 15));
  const std::size_t before = EventTypes(payer).size();

  ASSERT_EQ(Advance(clock, MillisOf(date::year{2025} / 5 / 16)).status, 200);
  const std::vector<json> attempts = AttemptsOf(payer);
  ASSERT_EQ(attempts.size(), 3u);
  const std::vector<std::int64_t> periods = {trial_end, MillisOf(date::year{2025} / 4 / 15),
                                             MillisOf(date::year{2025} / 5 / 15)};
  for (std::size_t i = 0; i < attempts.size(); ++i) {
    EXPECT_EQ(attempts[i]["status"], "paid") << attempts[i];
    EXPECT_EQ(attempts[i]["period_start"], periods[i]) << attempts[i];
    EXPECT_EQ(attempts[i]["totals"]["grand_total"]["amount"], 1500) << attempts[i];
  }
  const std::vector<FakePaymentIntent> intents = fake_.PaymentIntents();
  ASSERT_EQ(intents.size(), 3u);
  std::set<std::string> keys;
  for (const FakePaymentIntent& intent : intents) {
    EXPECT_EQ(intent.amount, 1500);
    EXPECT_EQ(intent.status, "succeeded");
    keys.insert(intent.idempotency_key);
  }
  EXPECT_EQ(keys.size(), 3u);  // a key of its own for each charge
  ExpectChargedAs(payer, attempts, intents);
  EXPECT_EQ(fake_.CustomerCount(), 1u);

  EXPECT_THAT(
      TypesFrom(payer, before),
      ElementsAre("subscriptionItem.freeTrialEnding",
                  // the conversion
                  "paymentAttempt.created", "paymentAttempt.updated", "subscriptionItem.updated",
                  // two renewals
                  "paymentAttempt.created", "paymentAttempt.updated", "subscriptionItem.updated",
                  "paymentAttempt.created", "paymentAttempt.updated", "subscriptionItem.updated"));
  const json item = Call("GET", "/v1/payers/" + payer + "/subscription").body["items"][0];
  EXPECT_EQ(item["status"], "active");
  EXPECT_EQ(item["period_start"], periods[2]);
  EXPECT_THAT(InvariantViolations(payer), IsEmpty());
}

// pm_card_chargeCustomerFail attaches, then every charge on it is declined: the trial's
// conversion fails, dunning retries 1, 3, 5 and 7 days later, then the item ends on free.
TEST_F(StripeScenariosTest, ADeclinedConversionWalksDunningAndEndsOnTheFreePlan) {
  AddTrialPlan();
  server_ = RecurServer::Start(StripeOptions());
  ASSERT_NE(server_, nullptr);
  const std::string clock = NewClock(MillisOf(date::year{2025} / 3 / 1));
  const std::string payer = NewPayer("user_1", "pm_card_chargeCustomerFail", "user", clock);
  const Answer trial =
      Call("POST", "/v1/payers/" + payer + "/subscription_items", {{"plan", "trial14"}});
  ASSERT_EQ(trial.status, 200) << trial.body;
  const std::size_t before = EventTypes(payer).size();

  ASSERT_EQ(Advance(clock, MillisOf(date::year{2025} / 4 / 1)).status, 200);
  std::vector<std::string> expected = {"subscriptionItem.freeTrialEnding"};
  expected.insert(expected.end(), kDeclinedThenDunnedToFree.begin(),
                  kDeclinedThenDunnedToFree.end());
  EXPECT_EQ(TypesFrom(payer, before), expected);
  const std::vector<json> attempts = AttemptsOf(payer);
  const std::vector<FakePaymentIntent> intents = fake_.PaymentIntents();
  ASSERT_EQ(intents.size(), 5u);  // the conversion and four retries
  std::set<std::string> keys;
  for (std::size_t i = 0; i < intents.size(); ++i) {
    EXPECT_EQ(intents[i].amount, 1500);
    EXPECT_EQ(intents[i].status, "requires_payment_method");
    EXPECT_EQ(attempts[i]["status"], "failed");
    EXPECT_EQ(attempts[i]["failed_reason"]["code"], "card_declined");
    keys.insert(intents[i].idempotency_key);
  }
  EXPECT_EQ(keys.size(), 5u);
  ExpectChargedAs(payer, attempts, intents);
  const json subscription = Call("GET", "/v1/payers/" + payer + "/subscription").body;
  ASSERT_EQ(subscription["items"].size(), 1u) << subscription;
  EXPECT_EQ(subscription["items"][0]["plan"]["slug"], "free");
  EXPECT_THAT(InvariantViolations(payer), IsEmpty());
}

TEST_F(StripeScenariosTest, ARenewalDeclinedForWantOfFundsWalksDunningAndEndsOnTheFreePlan) {
  AddSoloPlan();
  server_ = RecurServer::Start(StripeOptions());
  ASSERT_NE(server_, nullptr);
  const std::int64_t start = MillisOf(date::year{2025} / 4 / 1);
  const std::string clock = NewClock(start);
  const std::string payer = NewPayer("user_1", "pm_card_visa", "user", clock);
  ASSERT_EQ(Call("POST", "/v1/payers/" + payer + "/subscription_items", {{"plan", "solo"}}).status,
            200);
  // The card saved later has no funds left when the renewal comes.
  ASSERT_NO_FATAL_FAILURE(SwitchCard(payer, "pm_card_fakeChargeDeclinedInsufficientFunds"));
  const std::int64_t renewal = MillisOf(date::year{2025} / 5 / 1);
  const std::size_t before = EventTypes(payer).size();

  ASSERT_EQ(Advance(clock, renewal + 1).status, 200);
  json subscription = Call("GET", "/v1/payers/" + payer + "/subscription").body;
  EXPECT_EQ(subscription["items"][0]["status"], "past_due");
  EXPECT_EQ(subscription["items"][0]["past_due_at"], renewal);
  std::vector<json> attempts = AttemptsOf(payer);
  ASSERT_EQ(attempts.size(), 2u);
  const json& declined = attempts[1];
  EXPECT_EQ(declined["status"], "failed");
  EXPECT_EQ(declined["failed_reason"], json({{"code", "insufficient_funds"},
                                             {"decline_code", "insufficient_funds"},
                                             {"message", "Your card has insufficient funds."}}));
  std::vector<FakePaymentIntent> intents = fake_.PaymentIntents();
  ASSERT_EQ(intents.size(), 2u);
  EXPECT_EQ(intents[1].status, "requires_payment_method");
  EXPECT_EQ(declined["gateway_external_id"], intents[1].id);
  // The failure's event carries the decline code too.
  const std::vector<json> events = Events(payer);
  const json& failed_event = events.at(before + 1);
  ASSERT_EQ(failed_event["type"], "paymentAttempt.updated");
  EXPECT_EQ(failed_event["data"]["id"], declined["id"]);
  EXPECT_EQ(failed_event["data"]["failed_reason"], declined["failed_reason"]);
  EXPECT_EQ(failed_event["data"]["gateway_external_id"], intents[1].id);
  EXPECT_EQ(failed_event["data"]["payee"]["gateway_external_id"], FakeStripe::kAccountId);

  ASSERT_EQ(Advance(clock, renewal + 30 * kDay).status, 200);
  EXPECT_EQ(TypesFrom(payer, before), kDeclinedThenDunnedToFree);
  attempts = AttemptsOf(payer);
  intents = fake_.PaymentIntents();
  ASSERT_EQ(intents.size(), 6u);  // the checkout, the renewal and four retries
  std::set<std::string> keys;
  for (std::size_t i = 1; i < intents.size(); ++i) {
    EXPECT_EQ(intents[i].amount, 2000);
    EXPECT_EQ(attempts[i]["status"], "failed");
    EXPECT_EQ(attempts[i]["failed_reason"]["decline_code"], "insufficient_funds");
    keys.insert(intents[i].idempotency_key);
  }
  EXPECT_EQ(keys.size(), 5u);
  ExpectChargedAs(payer, attempts, intents);
  subscription = Call("GET", "/v1/payers/" + payer + "/subscription").body;
  ASSERT_EQ(subscription["items"].size(), 1u) << subscription;
  EXPECT_EQ(subscription["items"][0]["plan"]["slug"], "free");
  EXPECT_EQ(Call("GET", "/v1/payers/" + payer + "/entitlements").body["plan"], "free");
  EXPECT_THAT(InvariantViolations(payer), IsEmpty());
}

TEST_F(StripeScenariosTest, AnUpgradeMidPeriodChargesTheProratedAmountOnce) {
  server_ = RecurServer::Start(StripeOptions());
  ASSERT_NE(server_, nullptr);
  const std::string clock = NewClock(MillisOf(date::year{2025} / 4 / 1));
  const std::string payer = NewPayer("user_1", "pm_card_visa", "user", clock);
  ASSERT_EQ(Call("POST", "/v1/payers/" + payer + "/subscription_items",
                 {{"plan", "pro"}, {"free_trial", false}})
                .status,
            200);
  // Half of April used: half of Pro's 2000 is credited against Business's 5000.
  ASSERT_EQ(Advance(clock, MillisOf(date::year{2025} / 4 / 16)).status, 200);
  const Answer business =
      Call("POST", "/v1/payers/" + payer + "/subscription_items", {{"plan", "business"}});
  ASSERT_EQ(business.status, 200) << business.body;
  EXPECT_EQ(business.body["status"], "active");

  const std::vector<json> attempts = AttemptsOf(payer);
  ASSERT_EQ(attempts.size(), 2u);
  const json& upgrade = attempts[1];
  EXPECT_EQ(upgrade["status"], "paid");
  EXPECT_EQ(upgrade["proration_credit"]["amount"], 1000);
  EXPECT_EQ(upgrade["totals"]["grand_total"]["amount"], 4000);
  const std::vector<FakePaymentIntent> intents = fake_.PaymentIntents();
  ASSERT_EQ(intents.size(), 2u);
  EXPECT_EQ(intents[0].amount, 2000);
  EXPECT_EQ(intents[1].amount, 4000);
  EXPECT_EQ(intents[1].status, "succeeded");
  EXPECT_NE(intents[0].idempotency_key, intents[1].idempotency_key);
  ExpectChargedAs(payer, attempts, intents);
  EXPECT_EQ(Call("GET", "/v1/payers/" + payer + "/entitlements").body["plan"], "business");
  EXPECT_THAT(InvariantViolations(payer), IsEmpty());
}

TEST_F(StripeScenariosTest, ARenewalAskingForAuthenticationFailsNamingItsPaymentIntent) {
  AddSoloPlan();
  server_ = RecurServer::Start(StripeOptions());
  ASSERT_NE(server_, nullptr);
  const std::string clock = NewClock(MillisOf(date::year{2025} / 4 / 1));
  const std::string payer = NewPayer("user_1", "pm_card_visa", "user", clock);
  ASSERT_EQ(Call("POST", "/v1/payers/" + payer + "/subscription_items", {{"plan", "solo"}}).status,
            200);
  // The bank of the card saved later asks for 3-D Secure on off-session charges.
  ASSERT_NO_FATAL_FAILURE(SwitchCard(payer, "pm_card_authenticationRequired"));
  const std::int64_t renewal = MillisOf(date::year{2025} / 5 / 1);
  const std::size_t before = EventTypes(payer).size();

  ASSERT_EQ(Advance(clock, renewal + 1).status, 200);
  const std::vector<json> attempts = AttemptsOf(payer);
  ASSERT_EQ(attempts.size(), 2u);
  const std::vector<FakePaymentIntent> intents = fake_.PaymentIntents();
  ASSERT_EQ(intents.size(), 2u);
  EXPECT_EQ(intents[1].status, "requires_payment_method");
  const json& asked = attempts[1];
  EXPECT_EQ(asked["status"], "failed");
  EXPECT_EQ(asked["failed_reason"]["code"], "authentication_required");
  EXPECT_EQ(asked["gateway_external_id"], intents[1].id);
  ExpectChargedAs(payer, attempts, intents);
  const std::vector<json> events = Events(payer);
  ASSERT_EQ(events.at(before + 1)["type"], "paymentAttempt.updated");
  EXPECT_EQ(events.at(before + 1)["data"]["failed_reason"]["code"], "authentication_required");
  EXPECT_EQ(events.at(before + 1)["data"]["gateway_external_id"], intents[1].id);
  EXPECT_THAT(TypesFrom(payer, before),
              ElementsAre("paymentAttempt.created", "paymentAttempt.updated",
                          "subscriptionItem.pastDue", "subscription.pastDue"));
  EXPECT_EQ(Call("GET", "/v1/payers/" + payer + "/subscription").body["items"][0]["status"],
            "past_due");
  EXPECT_THAT(InvariantViolations(payer), IsEmpty());
}

}  // namespace
}  // namespace recur::testing::stripe_scenarios_test
