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

#include "tests/support/fake_stripe.h"

namespace recur {
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
    gateway_ = std::make_unique<StripeGateway>(options_);
    customer_ = gateway_->EnsureCustomer({"cpayer_1", "payer@example.com", "Payer"}).value();
  }

  ChargeRequest Request(std::string token, std::string key) {
    return {customer_, std::move(token), 2000, "USD", std::move(key), "", "cpayer_1", "cpay_1"};
  }

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

// Until Stripe's webhooks are read (Stripe-Signature), no message can be verified, so none may
// settle an attempt: a pending charge is settled by looking it up instead.
TEST_F(StripeGatewayTest, EveryNoticeIsRefusedAsUnverifiedUntilStripesWebhooksAreRead) {
  const std::string succeeded =
      R"({"type": "payment_intent.succeeded", "data": {"object": {"id": "pi_1"}}})";
  for (const std::string& body : {succeeded, std::string("not json")}) {
    auto refused = gateway_->ReadNotice({{{"Stripe-Signature", "t=1,v1=00"}}, body});
    ASSERT_FALSE(refused) << body;
    EXPECT_EQ(refused.error().kind, ErrorKind::kUnauthenticated);
    EXPECT_EQ(refused.error().code, "notice_not_verified");
  }
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
  options_.secret_key = "pk_test_publishable";
  StripeGateway wrong_key(options_);
  auto refused = wrong_key.EnsureCustomer({"cpayer_2", "", ""});
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, "stripe_key_refused");
  EXPECT_THAT(refused.error().message, HasSubstr("401"));
  EXPECT_THAT(refused.error().message, ::testing::Not(HasSubstr("pk_test_publishable")));
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
}  // namespace recur
