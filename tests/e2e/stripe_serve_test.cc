// `recur serve --gateway stripe` against the fake Stripe of the tests: the start-up refuses a
// missing or wrong key and says test or live without the key, and a trial with Stripe's test card
// converts, charged once: one PaymentIntent, for the payer's one Customer, under the attempt's
// idempotency key; cards are saved through a SetupIntent, listed, made the default (in Recur
// and on the Customer) and detached, the default card of a paid payer only once another is;
// Stripe's webhooks settle a pending charge once, are refused when forged or stale, and follow
// cards and the Customer.
#include <ctime>

#include <date/date.h>
#include <gmock/gmock.h>

#include "tests/e2e/stripe_fixture.h"

namespace recur::testing::stripe_serve_test {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

constexpr std::int64_t kDay = kStripeDay;

class StripeServeTest : public StripeServeFixture {};

TEST_F(StripeServeTest, AStartWithoutAUsableKeyIsRefusedAndNamesNoKey) {
  for (const char* key : {static_cast<const char*>(nullptr), "pk_test_publishable1234"}) {
    int exit_code = 0;
    std::string output;
    EXPECT_EQ(RecurServer::Start(StripeOptions(key), &exit_code, &output), nullptr);
    EXPECT_EQ(exit_code, 2);
    EXPECT_THAT(output, HasSubstr("STRIPE_SECRET_KEY"));
    EXPECT_THAT(output, Not(HasSubstr("publishable1234")));
  }
  RecurServer::Options plain = StripeOptions();
  plain.args = {"--gateway", "stripe", "--stripe-api-base", "http://203.0.113.7:443"};
  int exit_code = 0;
  std::string output;
  EXPECT_EQ(RecurServer::Start(plain, &exit_code, &output), nullptr);
  EXPECT_EQ(exit_code, 2);
  EXPECT_THAT(output, HasSubstr("--stripe-api-base"));
}

// The browser components learn from the pricing table, public or a payer's, that Stripe takes
// the cards and with which publishable key; without one given, the key is null.
TEST_F(StripeServeTest, ThePricingTableNamesStripeAndItsPublishableKey) {
  RecurServer::Options options = StripeOptions();
  options.args.insert(options.args.end(), {"--stripe-publishable-key", "pk_test_e2eBrowserKey"});
  ASSERT_NO_FATAL_FAILURE(StartWithSoloPlan(options));
  const nlohmann::json stripe = {{"name", "stripe"}, {"publishable_key", "pk_test_e2eBrowserKey"}};
  const Answer preview = Call("GET", "/v1/pricing_table?payer_type=user");
  ASSERT_EQ(preview.status, 200) << preview.body;
  EXPECT_EQ(preview.body["gateway"], stripe);
  const std::string payer = NewPayer("user_1");
  const Answer own = Call("GET", "/v1/pricing_table?payer_id=" + payer);
  ASSERT_EQ(own.status, 200) << own.body;
  EXPECT_EQ(own.body["gateway"], stripe);

  server_.reset();
  server_ = RecurServer::Start(StripeOptions());
  ASSERT_NE(server_, nullptr);
  EXPECT_EQ(Call("GET", "/v1/pricing_table?payer_type=user").body["gateway"],
            nlohmann::json({{"name", "stripe"}, {"publishable_key", nullptr}}));
}

TEST_F(StripeServeTest, ATrialWithStripesTestCardConvertsAndIsChargedOnce) {
  WriteFile(plans_dir() + "/trial14.json",
            R"({"slug": "trial14", "name": "Trial 14", "payer_type": "user", "amount": 1500,
                "currency": "USD", "free_trial_days": 14})");
  server_ = RecurServer::Start(StripeOptions());
  ASSERT_NE(server_, nullptr);
  EXPECT_THAT(server_->Stderr(), HasSubstr(R"("gateway":"stripe")"));
  EXPECT_THAT(server_->Stderr(), HasSubstr(R"("mode":"test")"));
  EXPECT_THAT(server_->Stderr(), Not(HasSubstr(kStripeKey)));

  const std::int64_t start = std::chrono::duration_cast<std::chrono::milliseconds>(
                                 date::sys_days(date::year{2025} / 3 / 1).time_since_epoch())
                                 .count();
  const std::string clock = NewClock(start);
  const std::string payer = NewPayer("user_1", "pm_card_visa", "user", clock);
  const Answer trial =
      Call("POST", "/v1/payers/" + payer + "/subscription_items", {{"plan", "trial14"}});
  ASSERT_EQ(trial.status, 200) << trial.body;
  EXPECT_TRUE(fake_.PaymentIntents().empty());  // nothing is charged during the trial
  const std::int64_t trial_end = trial.body["trial_end"];
  ASSERT_EQ(Advance(clock, trial_end + kDay).status, 200);

  const nlohmann::json item = Call("GET", "/v1/payers/" + payer + "/subscription").body["items"][0];
  EXPECT_EQ(item["is_free_trial"], false);
  EXPECT_EQ(item["status"], "active");
  const nlohmann::json attempts = Call("GET", "/v1/payment_attempts?payer_id=" + payer).body;
  ASSERT_EQ(attempts["data"].size(), 1u) << attempts;
  EXPECT_EQ(attempts["data"][0]["status"], "paid");

  const auto intents = fake_.PaymentIntents();
  ASSERT_EQ(intents.size(), 1u);
  EXPECT_EQ(intents[0].status, "succeeded");
  EXPECT_EQ(intents[0].amount, 1500);
  EXPECT_EQ(intents[0].currency, "usd");
  EXPECT_EQ(attempts["data"][0]["gateway_external_id"], intents[0].id);
  EXPECT_EQ(attempts["data"][0]["payee"]["gateway_type"], "stripe");
  EXPECT_EQ(attempts["data"][0]["payee"]["gateway_external_id"], FakeStripe::kAccountId)
      << "the payee is the account the key belongs to";
  EXPECT_EQ(
      intents[0].idempotency_key,
      StoredText("SELECT idempotency_key FROM payment_attempts WHERE payer_id = " + Quoted(payer)));
  EXPECT_EQ(intents[0].metadata.at("recur_payer_id"), payer);
  EXPECT_EQ(fake_.CustomerCount(), 1u);
  EXPECT_THAT(InvariantViolations(payer), IsEmpty());
}

TEST_F(StripeServeTest, CardsAreSavedThroughASetupIntentListedMadeDefaultAndDetached) {
  ASSERT_NO_FATAL_FAILURE(StartWithSoloPlan(StripeOptions()));
  const std::string payer = NewPayer("user_1");
  const std::string cards = "/v1/payers/" + payer + "/payment_methods";

  // The browser gets a SetupIntent's secret for Stripe.js, which confirms it with a card.
  const Answer setup = Call("POST", "/v1/payers/" + payer + "/setup_intents");
  ASSERT_EQ(setup.status, 200) << setup.body;
  const std::string setup_id = setup.body["id"];
  EXPECT_THAT(setup_id, ::testing::StartsWith("seti_"));
  EXPECT_THAT(setup.body["client_secret"].get<std::string>(), HasSubstr(setup_id + "_secret_"));
  const std::string confirmed = fake_.ConfirmSetupIntent(setup_id, "pm_card_visa");
  ASSERT_FALSE(confirmed.empty());
  const std::string customer = fake_.CustomerOfPaymentMethod(confirmed);
  EXPECT_EQ(customer,
            StoredText("SELECT gateway_customer_id FROM payers WHERE id = " + Quoted(payer)));

  const Answer first = Call("POST", cards, {{"payment_method", confirmed}});
  ASSERT_EQ(first.status, 200) << first.body;
  EXPECT_EQ(first.body["is_default"], true);  // a payer's first card
  EXPECT_EQ(first.body["brand"], "visa");
  EXPECT_EQ(first.body["last4"], "4242");
  EXPECT_EQ(fake_.DefaultPaymentMethodOf(customer), confirmed);
  ASSERT_EQ(Call("POST", "/v1/payers/" + payer + "/subscription_items", {{"plan", "solo"}}).status,
            200);

  const Answer second = Call("POST", cards, {{"payment_method", "pm_card_mastercard"}});
  ASSERT_EQ(second.status, 200) << second.body;
  EXPECT_EQ(second.body["is_default"], false);
  const Answer spare = Call("POST", cards, {{"token", "pm_card_visa"}, {"default", false}});
  ASSERT_EQ(spare.status, 200) << spare.body;
  const Answer listed = Call("GET", cards);
  ASSERT_EQ(listed.status, 200);
  ASSERT_EQ(listed.body["data"].size(), 3u) << listed.body;
  for (const nlohmann::json& card : listed.body["data"]) {
    EXPECT_EQ(card["is_default"], card["id"] == first.body["id"]) << card;
    EXPECT_EQ(card["exp_month"], 12);
    EXPECT_EQ(card["exp_year"], 2034);
    if (card["id"] == second.body["id"]) {
      EXPECT_EQ(card["brand"], "mastercard");
      EXPECT_EQ(card["last4"], "4444");
    }
  }

  // The default card of a payer on a paid plan stays until another is the default.
  const std::string first_id = first.body["id"];
  const Answer refused = Call("DELETE", cards + "/" + first_id);
  EXPECT_EQ(refused.status, 409) << refused.body;
  EXPECT_EQ(refused.body["error"]["code"], "default_payment_method_in_use");
  EXPECT_EQ(fake_.CustomerOfPaymentMethod(confirmed), customer);

  const std::string second_id = second.body["id"];
  const Answer made_default =
      Call("POST", cards, {{"payment_method", second_id}, {"default", true}});
  ASSERT_EQ(made_default.status, 200) << made_default.body;
  EXPECT_EQ(made_default.body["is_default"], true);
  const std::string second_token =
      StoredText("SELECT token FROM payment_methods WHERE id = " + Quoted(second_id));
  EXPECT_EQ(fake_.DefaultPaymentMethodOf(customer), second_token);

  const Answer removed = Call("DELETE", cards + "/" + first_id);
  ASSERT_EQ(removed.status, 200) << removed.body;
  EXPECT_EQ(removed.body["deleted"], true);
  EXPECT_EQ(fake_.CustomerOfPaymentMethod(confirmed), "");
  const std::string spare_id = spare.body["id"];
  const std::string spare_token =
      StoredText("SELECT token FROM payment_methods WHERE id = " + Quoted(spare_id));
  ASSERT_EQ(Call("DELETE", cards + "/" + spare_id).status, 200);
  EXPECT_EQ(fake_.CustomerOfPaymentMethod(spare_token), "");
  EXPECT_EQ(Call("DELETE", cards + "/" + spare_id).status, 404);

  const Answer left = Call("GET", cards);
  ASSERT_EQ(left.body["data"].size(), 1u) << left.body;
  EXPECT_EQ(left.body["data"][0]["id"], second_id);
  EXPECT_EQ(left.body["data"][0]["is_default"], true);
  EXPECT_EQ(fake_.CustomerCount(), 1u);
  EXPECT_THAT(InvariantViolations(payer), IsEmpty());
}

TEST_F(StripeServeTest, AWebhookSettlesAPendingChargeOnceAndForgedOrStaleOnesChangeNothing) {
  ASSERT_NO_FATAL_FAILURE(StartWithSoloPlan(WebhookOptions()));
  const std::string payer = NewPayer("user_1", "pm_card_fakeProcessingThenSucceeded");
  const Answer bought =
      Call("POST", "/v1/payers/" + payer + "/subscription_items", {{"plan", "solo"}});
  ASSERT_EQ(bought.status, 200) << bought.body;
  const std::string attempts = "/v1/payment_attempts?payer_id=" + payer;
  ASSERT_EQ(Call("GET", attempts).body["data"][0]["status"], "pending");
  ASSERT_EQ(fake_.PaymentIntents().size(), 1u);
  const std::string intent = fake_.PaymentIntents()[0].id;
  const std::int64_t now = std::time(nullptr);

  const auto forged =
      fake_.SendEvent(WebhookUrl(), "payment_intent.succeeded", intent, "whsec_forged", now);
  EXPECT_EQ(forged.status, 400) << forged.body;
  EXPECT_THAT(forged.body, HasSubstr("notice_not_verified"));
  const auto stale =
      fake_.SendEvent(WebhookUrl(), "payment_intent.succeeded", intent, kWebhookSecret, now - 301);
  EXPECT_EQ(stale.status, 400) << stale.body;
  EXPECT_THAT(stale.body, HasSubstr("tolerance"));
  EXPECT_EQ(Call("GET", attempts).body["data"][0]["status"], "pending");

  const auto settled =
      fake_.SendEvent(WebhookUrl(), "payment_intent.succeeded", intent, kWebhookSecret, now);
  ASSERT_EQ(settled.status, 200) << settled.body;
  EXPECT_EQ(nlohmann::json::parse(settled.body)["effect"], "settled");
  const nlohmann::json paid = Call("GET", attempts).body["data"];
  ASSERT_EQ(paid.size(), 1u);
  EXPECT_EQ(paid[0]["status"], "paid");
  EXPECT_EQ(paid[0]["gateway_external_id"], intent);
  EXPECT_EQ(Call("GET", "/v1/payers/" + payer + "/subscription").body["items"][0]["status"],
            "active");
  const std::string events = "/v1/events?payer_id=" + payer;
  const std::size_t events_after = Call("GET", events).body["data"].size();

  // Stripe delivers again (a lost answer): acknowledged, not applied twice.
  const auto again = fake_.Resend(WebhookUrl(), settled, kWebhookSecret, now + 1);
  ASSERT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(nlohmann::json::parse(again.body)["effect"], "duplicate");
  EXPECT_EQ(Call("GET", events).body["data"].size(), events_after);
  const auto recorded_again = Redeliver(settled.payload, kWebhookSecret, now + 2);
  ASSERT_TRUE(recorded_again);
  EXPECT_EQ(recorded_again->status, 200) << recorded_again->body;
  EXPECT_THAT(recorded_again->body, HasSubstr(R"("effect":"duplicate")"));
  const auto recorded_forged = Redeliver(settled.payload, "whsec_forged", now + 2);
  ASSERT_TRUE(recorded_forged);
  EXPECT_EQ(recorded_forged->status, 400) << recorded_forged->body;
  EXPECT_EQ(Call("GET", events).body["data"].size(), events_after);
  EXPECT_EQ(fake_.PaymentIntents().size(), 1u);
  EXPECT_EQ(
      StoredNumber("SELECT count(*) FROM gateway_events WHERE id = " + Quoted(settled.event_id)),
      1);

  // An event Recur does not follow is acknowledged and ignored.
  const std::string customer = fake_.PaymentIntents()[0].customer;
  const auto other =
      fake_.SendEvent(WebhookUrl(), "customer.updated", customer, kWebhookSecret, now);
  ASSERT_EQ(other.status, 200) << other.body;
  EXPECT_EQ(nlohmann::json::parse(other.body)["effect"], "ignored");
  EXPECT_THAT(InvariantViolations(payer), IsEmpty());
}

TEST_F(StripeServeTest, CardAndCustomerEventsFollowWhatHappenedAtStripe) {
  server_ = RecurServer::Start(WebhookOptions());
  ASSERT_NE(server_, nullptr);
  const std::string payer = NewPayer("user_1");
  const std::string cards = "/v1/payers/" + payer + "/payment_methods";
  const std::int64_t now = std::time(nullptr);

  // Stripe.js confirms a SetupIntent; Stripe's event saves the card before the browser does.
  const Answer setup = Call("POST", "/v1/payers/" + payer + "/setup_intents");
  ASSERT_EQ(setup.status, 200) << setup.body;
  const std::string method = fake_.ConfirmSetupIntent(setup.body["id"], "pm_card_visa");
  ASSERT_FALSE(method.empty());
  const auto saved = fake_.SendEvent(WebhookUrl(), "setup_intent.succeeded", setup.body["id"],
                                     kWebhookSecret, now);
  ASSERT_EQ(saved.status, 200) << saved.body;
  EXPECT_EQ(nlohmann::json::parse(saved.body)["effect"], "card_saved");
  Answer listed = Call("GET", cards);
  ASSERT_EQ(listed.body["data"].size(), 1u) << listed.body;
  EXPECT_EQ(listed.body["data"][0]["is_default"], true);
  const std::string saved_id = listed.body["data"][0]["id"];
  // The browser's own save of the same card finds it saved.
  const Answer posted = Call("POST", cards, {{"payment_method", method}});
  ASSERT_EQ(posted.status, 200) << posted.body;
  EXPECT_EQ(posted.body["id"], saved_id);
  EXPECT_EQ(Call("GET", cards).body["data"].size(), 1u);

  // Detached at Stripe (the Dashboard): Recur forgets it.
  httplib::Client dashboard("127.0.0.1", fake_.port());
  ASSERT_EQ(dashboard
                .Post("/v1/payment_methods/" + method + "/detach",
                      {{"Authorization", std::string("Bearer ") + kStripeKey}}, "",
                      "application/x-www-form-urlencoded")
                ->status,
            200);
  const auto detached =
      fake_.SendEvent(WebhookUrl(), "payment_method.detached", method, kWebhookSecret, now);
  ASSERT_EQ(detached.status, 200) << detached.body;
  EXPECT_EQ(nlohmann::json::parse(detached.body)["effect"], "card_forgotten");
  EXPECT_TRUE(Call("GET", cards).body["data"].empty());

  // The customer deleted at Stripe: forgotten; the next need makes a new one.
  const std::string customer =
      StoredText("SELECT gateway_customer_id FROM payers WHERE id = " + Quoted(payer));
  fake_.DeleteCustomer(customer);
  const auto deleted =
      fake_.SendEvent(WebhookUrl(), "customer.deleted", customer, kWebhookSecret, now);
  ASSERT_EQ(deleted.status, 200) << deleted.body;
  EXPECT_EQ(nlohmann::json::parse(deleted.body)["effect"], "customer_forgotten");
  EXPECT_EQ(StoredText("SELECT coalesce(gateway_customer_id, 'none') FROM payers WHERE id = " +
                       Quoted(payer)),
            "none");
  ASSERT_EQ(Call("POST", "/v1/payers/" + payer + "/setup_intents").status, 200);
  const std::string replaced =
      StoredText("SELECT gateway_customer_id FROM payers WHERE id = " + Quoted(payer));
  EXPECT_NE(replaced, customer);
  EXPECT_EQ(fake_.CustomerCount(), 1u);
  EXPECT_THAT(InvariantViolations(payer), IsEmpty());
}

}  // namespace
}  // namespace recur::testing::stripe_serve_test
