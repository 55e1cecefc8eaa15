// What the Stripe gateway does beyond the gateway contract (payment_gateway_contract_test.cc runs
// that on it too): retries under one key, the answer after Stripe stayed away, the mapping of
// Stripe's refusals, and what it sends. Against the fake Stripe of the tests; nothing sleeps.

#include "gateways/stripe/stripe_gateway.h"

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "gateways/stripe/stripe_signature.h"
#include "tests/support/fake_stripe.h"

namespace recur::stripe_gateway_test {
namespace {

using ::testing::HasSubstr;

class StripeGatewayTest : public ::testing::Test {
 protected:
  StripeGatewayTest() {
    options_.secret_key = "sk_test_gateway";
    options_.api_base = fake_.base_url();
    options_.retries = 3;
    options_.jitter_seed = 7;
    options_.sleep = [this](std::chrono::milliseconds wait) { waits_.push_back(wait); };
    gateway_ = std::make_unique<StripeGateway>(
        options_, StripeWebhookOptions{.signing_secret = kWebhookSecret, .clock = &clock_});
    customer_ = gateway_->EnsureCustomer({"cpayer_1", "payer@example.com", "Payer"}).value();
  }

  ChargeRequest Request(std::string token, std::string key) {
    return {customer_, std::move(token), 2000, "USD", std::move(key), "", "cpayer_1", "cpay_1"};
  }

  // Signed events: at the clock's time, with the endpoint's secret.
  GatewayMessage Signed(const std::string& body, std::int64_t seconds = kEventTime) const {
    return {{{"stripe-signature", StripeSignatureHeader(kWebhookSecret, seconds, body)}}, body};
  }

  static constexpr const char* kWebhookSecret = "whsec_gatewaytest";
  static constexpr std::int64_t kEventTime = 1767225600;
  ManualClock clock_{Instant(std::chrono::seconds(kEventTime))};
  testing::FakeStripe fake_;
  StripeClientOptions options_;
  std::vector<std::chrono::milliseconds> waits_;
  std::unique_ptr<StripeGateway> gateway_;
  std::string customer_;
};

TEST_F(StripeGatewayTest, AChargeIsOnePaymentIntentWithTheKeyAndWhatItIsFor) {
  auto paid = gateway_->Charge(Request("pm_card_visa", "cpay_1-key"));
  ASSERT_TRUE(paid) << paid.error().message;
  EXPECT_EQ(paid->status, ChargeStatus::kPaid);
  const auto intents = fake_.PaymentIntents();
  ASSERT_EQ(intents.size(), 1u);
  EXPECT_EQ(intents[0].id, paid->gateway_charge_id);
  EXPECT_EQ(intents[0].idempotency_key, "cpay_1-key");
  EXPECT_EQ(intents[0].amount, 2000);
  EXPECT_EQ(intents[0].currency, "usd");
  EXPECT_EQ(intents[0].customer, customer_);
  EXPECT_EQ(intents[0].metadata.at("recur_payer_id"), "cpayer_1");
  EXPECT_EQ(intents[0].metadata.at("recur_attempt_id"), "cpay_1");
}

TEST_F(StripeGatewayTest, TheDefaultCardIsTheCustomersInvoiceSettingsDefault) {
  auto card = gateway_->Attach({customer_, "pm_card_visa"});
  ASSERT_TRUE(card) << card.error().message;
  EXPECT_EQ(fake_.CustomerOfPaymentMethod(card->token), customer_);
  ASSERT_TRUE(gateway_->SetDefaultCard({customer_, card->token}));
  EXPECT_EQ(fake_.DefaultPaymentMethodOf(customer_), card->token);
}

TEST_F(StripeGatewayTest, DetachDetachesOnlyTheCustomersOwnCard) {
  const std::string other = gateway_->EnsureCustomer({"cpayer_2", "", ""}).value();
  const std::string theirs = gateway_->Attach({other, "pm_card_visa"}).value().token;
  const std::string mine = gateway_->Attach({customer_, "pm_card_visa"}).value().token;
  ASSERT_TRUE(gateway_->Detach({customer_, theirs}));
  EXPECT_EQ(fake_.CustomerOfPaymentMethod(theirs), other);
  ASSERT_TRUE(gateway_->Detach({customer_, mine}));
  EXPECT_EQ(fake_.CustomerOfPaymentMethod(mine), "");
}

TEST_F(StripeGatewayTest, ACardAStripeJsSetupAttachedAlreadyIsAccepted) {
  // Stripe.js confirms the SetupIntent in the browser, which attaches the card to the customer;
  // the browser then hands Recur that PaymentMethod.
  auto setup = gateway_->StartCardSetup(customer_);
  ASSERT_TRUE(setup) << setup.error().message;
  const std::string attached = fake_.ConfirmSetupIntent(setup->id, "pm_card_mastercard");
  ASSERT_EQ(fake_.CustomerOfPaymentMethod(attached), customer_);
  auto card = gateway_->Attach({customer_, attached});
  ASSERT_TRUE(card) << card.error().message;
  EXPECT_EQ(card->token, attached);
  EXPECT_EQ(card->brand, "mastercard");
  EXPECT_EQ(card->last4, "4444");

  // The same card is not another customer's to take.
  const std::string other = gateway_->EnsureCustomer({"cpayer_2", "", ""}).value();
  EXPECT_FALSE(gateway_->Attach({other, attached}));
}

TEST_F(StripeGatewayTest, AnEventWithoutAValidFreshSignatureIsRefused) {
  const std::string body =
      R"({"id": "evt_1", "type": "payment_intent.succeeded", "data": {"object": {"id": "pi_1"}}})";
  for (const GatewayMessage& message :
       {GatewayMessage{{}, body},
        GatewayMessage{{{"Stripe-Signature", "t=1767225600,v1=00"}}, body},
        GatewayMessage{
            {{"Stripe-Signature", StripeSignatureHeader("whsec_other", kEventTime, body)}}, body},
        Signed(body, kEventTime - 301)}) {
    auto refused = gateway_->ReadNotice(message);
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().kind, ErrorKind::kUnauthenticated);
    EXPECT_EQ(refused.error().code, "notice_not_verified");
  }
  auto stale = gateway_->ReadNotice(Signed(body, kEventTime + 301));
  ASSERT_FALSE(stale);
  EXPECT_THAT(stale.error().message, HasSubstr("tolerance"));

  StripeGateway unset(options_, StripeWebhookOptions{.clock = &clock_});  // no secret
  auto refused = unset.ReadNotice(Signed(body));
  ASSERT_FALSE(refused);
  EXPECT_THAT(refused.error().message, HasSubstr("RECUR_STRIPE_WEBHOOK_SECRET"));

  auto unreadable = gateway_->ReadNotice(Signed("not json"));
  ASSERT_FALSE(unreadable);
  EXPECT_EQ(unreadable.error().code, "invalid_notice");
}

TEST_F(StripeGatewayTest, APaymentIntentEventIsTheOutcomeOfTheChargeItsMetadataNames) {
  const std::string body = R"({"id": "evt_paid", "type": "payment_intent.succeeded",
    "data": {"object": {"id": "pi_9", "object": "payment_intent", "status": "succeeded",
      "customer": ")" + customer_ +
                           R"(", "metadata": {"recur_payer_id": "cpayer_1",
      "recur_attempt_id": "cpay_1", "recur_idempotency_key": "k1"}}}})";
  auto notice = gateway_->ReadNotice(Signed(body));
  ASSERT_TRUE(notice) << notice.error().message;
  ASSERT_TRUE(notice->has_value());
  const GatewayNotice& said = **notice;
  EXPECT_EQ(said.kind, GatewayNotice::Kind::kChargeOutcome);
  EXPECT_EQ(said.id, "evt_paid");
  EXPECT_EQ(said.type, "payment_intent.succeeded");
  EXPECT_EQ(said.charge.payer_id, "cpayer_1");
  EXPECT_EQ(said.charge.attempt_id, "cpay_1");
  EXPECT_EQ(said.charge.idempotency_key, "k1");
  EXPECT_EQ(said.charge.outcome.status, ChargeStatus::kPaid);
  EXPECT_EQ(said.charge.outcome.gateway_charge_id, "pi_9");

  const std::string failed = R"({"id": "evt_failed", "type": "payment_intent.payment_failed",
    "data": {"object": {"id": "pi_8", "status": "requires_payment_method",
      "last_payment_error": {"type": "card_error", "code": "card_declined",
        "decline_code": "insufficient_funds", "message": "Your card has insufficient funds."},
      "metadata": {"recur_payer_id": "cpayer_1", "recur_attempt_id": "cpay_2",
        "recur_idempotency_key": "k2"}}}})";
  auto declined = gateway_->ReadNotice(Signed(failed));
  ASSERT_TRUE(declined && *declined);
  EXPECT_EQ((*declined)->charge.outcome.status, ChargeStatus::kDeclined);
  EXPECT_EQ((*declined)->charge.outcome.code, "insufficient_funds");

  // Not a charge Recur made (no metadata), and a type Recur does not follow: nothing to apply.
  const std::string foreign = R"({"id": "evt_3", "type": "payment_intent.succeeded",
    "data": {"object": {"id": "pi_7", "status": "succeeded", "metadata": {}}}})";
  EXPECT_FALSE(gateway_->ReadNotice(Signed(foreign)).value().has_value());
  const std::string other = R"({"id": "evt_4", "type": "charge.refunded",
    "data": {"object": {"id": "ch_1"}}})";
  EXPECT_FALSE(gateway_->ReadNotice(Signed(other)).value().has_value());
}

TEST_F(StripeGatewayTest, CardAndCustomerEventsNameThePayerOfTheCustomer) {
  auto setup = gateway_->StartCardSetup(customer_);
  ASSERT_TRUE(setup) << setup.error().message;
  const std::string method = fake_.ConfirmSetupIntent(setup->id, "pm_card_mastercard");
  const std::string saved_body = R"({"id": "evt_s", "type": "setup_intent.succeeded",
    "data": {"object": {"id": ")" +
                                 setup->id + R"(", "object": "setup_intent",
      "customer": ")" + customer_ +
                                 R"(", "payment_method": ")" + method + R"("}}})";
  StripeGateway restarted(options_,
                          StripeWebhookOptions{.signing_secret = kWebhookSecret, .clock = &clock_});
  for (StripeGateway* gateway : {gateway_.get(), &restarted}) {  // the payer read from Stripe
    auto saved = gateway->ReadNotice(Signed(saved_body));
    ASSERT_TRUE(saved && *saved) << (saved ? "nothing" : saved.error().message);
    EXPECT_EQ((*saved)->kind, GatewayNotice::Kind::kCardSaved);
    EXPECT_EQ((*saved)->payer_id, "cpayer_1");
    EXPECT_EQ((*saved)->customer, customer_);
    EXPECT_EQ((*saved)->card.token, method);
    EXPECT_EQ((*saved)->card.brand, "mastercard");
    EXPECT_EQ((*saved)->card.last4, "4444");
  }

  const std::string detached_body = R"({"id": "evt_d", "type": "payment_method.detached",
    "data": {"object": {"id": ")" + method +
                                    R"(", "object": "payment_method", "customer": null},
      "previous_attributes": {"customer": ")" +
                                    customer_ + R"("}}})";
  auto detached = restarted.ReadNotice(Signed(detached_body));
  ASSERT_TRUE(detached && *detached);
  EXPECT_EQ((*detached)->kind, GatewayNotice::Kind::kCardDetached);
  EXPECT_EQ((*detached)->payer_id, "cpayer_1");
  EXPECT_EQ((*detached)->card.token, method);

  const std::string deleted_body = R"({"id": "evt_c", "type": "customer.deleted",
    "data": {"object": {"id": ")" + customer_ +
                                   R"(", "object": "customer",
      "metadata": {"recur_payer_id": "cpayer_1"}}}})";
  auto deleted = gateway_->ReadNotice(Signed(deleted_body));
  ASSERT_TRUE(deleted && *deleted);
  EXPECT_EQ((*deleted)->kind, GatewayNotice::Kind::kCustomerDeleted);
  EXPECT_EQ((*deleted)->payer_id, "cpayer_1");
  EXPECT_EQ((*deleted)->customer, customer_);
}

TEST_F(StripeGatewayTest, ACustomerDeletedIsMadeAgainUnderAnotherKey) {
  fake_.DeleteCustomer(customer_);
  const std::string deleted_body = R"({"id": "evt_c", "type": "customer.deleted",
    "data": {"object": {"id": ")" + customer_ +
                                   R"(", "object": "customer",
      "metadata": {"recur_payer_id": "cpayer_1"}}}})";
  ASSERT_TRUE(gateway_->ReadNotice(Signed(deleted_body)));
  auto again = gateway_->EnsureCustomer({"cpayer_1", "payer@example.com", "Payer"});
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_NE(*again, customer_);
  EXPECT_EQ(fake_.CustomerCount(), 1u);
  EXPECT_TRUE(gateway_->Attach({*again, "pm_card_visa"}));
}

TEST_F(StripeGatewayTest, ServerErrorsAreRetriedUnderTheSameKeyWithGrowingWaits) {
  fake_.FailNextRequests(2, 500);
  auto paid = gateway_->Charge(Request("pm_card_visa", "k"));
  ASSERT_TRUE(paid) << paid.error().message;
  EXPECT_EQ(paid->status, ChargeStatus::kPaid);
  EXPECT_EQ(fake_.PaymentIntents().size(), 1u);
  ASSERT_EQ(waits_.size(), 2u);
  // 500 ms then 1 s, each spread by up to half.
  EXPECT_GE(waits_[0].count(), 250);
  EXPECT_LE(waits_[0].count(), 750);
  EXPECT_GE(waits_[1].count(), 500);
  EXPECT_LE(waits_[1].count(), 1500);
}

TEST_F(StripeGatewayTest, AnAnswerLostAfterChargingIsAskedForAgainAndChargesOnce) {
  fake_.DropAnswersAfterCharging(1);
  auto paid = gateway_->Charge(Request("pm_card_visa", "k"));
  ASSERT_TRUE(paid) << paid.error().message;
  EXPECT_EQ(paid->status, ChargeStatus::kPaid);
  EXPECT_TRUE(paid->replayed);  // the first answer, sent again by Stripe under the key
  ASSERT_EQ(fake_.PaymentIntents().size(), 1u);
  EXPECT_EQ(fake_.PaymentIntents()[0].id, paid->gateway_charge_id);
}

TEST_F(StripeGatewayTest, AChargeStripeNeverAnsweredIsPendingAndNeverMadeTwice) {
  fake_.FailNextRequests(4, 429);
  auto pending = gateway_->Charge(Request("pm_card_visa", "k"));
  ASSERT_TRUE(pending) << pending.error().message;
  EXPECT_EQ(pending->status, ChargeStatus::kPending);
  EXPECT_EQ(pending->code, "stripe_unavailable");
  EXPECT_EQ(waits_.size(), 3u);
  EXPECT_TRUE(fake_.PaymentIntents().empty());
  // Nothing was made: the look-up finds nothing, and the same key charges once.
  EXPECT_EQ(gateway_->LookUpCharge({customer_, "k", ""}).error().code, "charge_not_found");
  EXPECT_EQ(gateway_->Charge(Request("pm_card_visa", "k"))->status, ChargeStatus::kPaid);
  EXPECT_EQ(fake_.PaymentIntents().size(), 1u);
}

TEST_F(StripeGatewayTest, CardsStripeRefusesOnAttachAreRefusedWithStripesCodeAndWords) {
  auto expired = gateway_->Attach({customer_, "pm_card_chargeDeclinedExpiredCard"});
  ASSERT_FALSE(expired);
  EXPECT_EQ(expired.error().kind, ErrorKind::kFailedPrecondition);
  EXPECT_EQ(expired.error().code, "expired_card");
  EXPECT_EQ(expired.error().message, "Your card has expired.");
  auto declined = gateway_->Attach({customer_, "pm_card_chargeDeclined"});
  ASSERT_FALSE(declined);
  EXPECT_EQ(declined.error().code, "card_declined");
  auto unknown = gateway_->Attach({customer_, "pm_nothing"});
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, "unknown_payment_token");
}

TEST_F(StripeGatewayTest, AnAttachedCardCarriesItsDetailsAndChargesUnderItsNewId) {
  auto card = gateway_->Attach({customer_, "pm_card_mastercard"});
  ASSERT_TRUE(card) << card.error().message;
  EXPECT_EQ(card->brand, "mastercard");
  EXPECT_EQ(card->last4, "4444");
  EXPECT_NE(card->token, "pm_card_mastercard");
  auto paid = gateway_->Charge(Request(card->token, "k"));
  ASSERT_TRUE(paid) << paid.error().message;
  EXPECT_EQ(paid->status, ChargeStatus::kPaid);
}

TEST_F(StripeGatewayTest, AnAuthenticationRequiredChargeNamesItsPaymentIntent) {
  auto action = gateway_->Charge(Request("pm_card_authenticationRequired", "k"));
  ASSERT_TRUE(action) << action.error().message;
  EXPECT_EQ(action->status, ChargeStatus::kRequiresAction);
  EXPECT_EQ(action->code, "authentication_required");
  ASSERT_EQ(fake_.PaymentIntents().size(), 1u);
  EXPECT_EQ(action->gateway_charge_id, fake_.PaymentIntents()[0].id);
}

TEST_F(StripeGatewayTest, ARefusedKeyIsAnErrorThatNamesNoKey) {
  options_.secret_key = "sk_tset_mistyped_key";
  StripeGateway wrong_key(options_);
  auto refused = wrong_key.EnsureCustomer({"cpayer_2", "", ""});
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, "stripe_key_refused");
  EXPECT_THAT(refused.error().message, HasSubstr("401"));
  EXPECT_THAT(refused.error().message, ::testing::Not(HasSubstr("sk_tset_mistyped_key")));
}

TEST_F(StripeGatewayTest, OnePayerGetsOneCustomerMarkedWithThePayer) {
  StripeGateway other(options_);  // another process: nothing remembered
  EXPECT_EQ(other.EnsureCustomer({"cpayer_1", "", ""}).value(), customer_);
  EXPECT_EQ(fake_.CustomerCount(), 1u);
}

TEST(StripeFormTest, BracketsAndReservedCharactersArePercentEncoded) {
  EXPECT_EQ(EncodeStripeForm({{"metadata[recur_payer_id]", "cpayer_1"},
                              {"expand[]", "latest_charge"},
                              {"email", "a+b@example.com"}}),
            "metadata%5Brecur_payer_id%5D=cpayer_1&expand%5B%5D=latest_charge&"
            "email=a%2Bb%40example.com");
}

}  // namespace
}  // namespace recur::stripe_gateway_test
