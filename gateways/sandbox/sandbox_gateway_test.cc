// What the sandbox gateway alone promises: its test tokens and what each does, its customer
// references and its ids. What every gateway promises is in ../payment_gateway_contract_test.cc,
// and the sandbox's SQLite file in store/sqlite/sqlite_sandbox_ledger_test.cc.
#include "gateways/sandbox/sandbox_gateway.h"

#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "gateways/sandbox/memory_sandbox_ledger.h"

namespace recur::sandbox_gateway_test {
namespace {

using ::testing::HasSubstr;
using ::testing::MatchesRegex;

class SandboxGatewayTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto customer = gateway_.EnsureCustomer({"cpayer_1", "payer@example.com", "Payer"});
    ASSERT_TRUE(customer) << customer.error().message;
    customer_ = *customer;
  }

  ChargeRequest Request(std::string token, std::string key, std::int64_t amount = 2000) {
    return {customer_,      std::move(token), amount,     "USD",
            std::move(key), "Pro, monthly",   "cpayer_1", "cpay_1"};
  }

  MemorySandboxLedger ledger_;
  SandboxGateway gateway_{ledger_};
  std::string customer_;
};

TEST_F(SandboxGatewayTest, NamesACustomerAfterItsPayer) {
  EXPECT_EQ(customer_, "cus_sandbox_cpayer_1");
  auto nobody = gateway_.EnsureCustomer({"", "x@example.com", ""});
  ASSERT_FALSE(nobody);
  EXPECT_EQ(nobody.error().kind, ErrorKind::kInvalidArgument);
}

struct AttachCase {
  std::string token;
  std::string brand;
  std::string last4;
};

TEST_F(SandboxGatewayTest, AttachesTheGoodCards) {
  for (const AttachCase& c :
       std::vector<AttachCase>{{"pm_card_visa", "visa", "4242"},
                               {"pm_card_mastercard", "mastercard", "4444"},
                               {"pm_card_amex", "amex", "8431"},
                               {"pm_card_chargeCustomerFail", "visa", "0341"},
                               {"pm_card_authenticationRequired", "visa", "3184"},
                               {"pm_card_sandboxPendingThenPaid", "visa", "0077"},
                               {"pm_card_sandboxPendingThenDeclined", "visa", "0085"},
                               {"pm_card_sandboxAnswerLostThenPaid", "visa", "0093"}}) {
    auto card = gateway_.Attach({customer_, c.token});
    ASSERT_TRUE(card) << c.token << ": " << card.error().message;
    EXPECT_EQ(card->brand, c.brand) << c.token;
    EXPECT_EQ(card->last4, c.last4) << c.token;
    EXPECT_EQ(card->exp_month, 12) << c.token;
    EXPECT_EQ(card->exp_year, 2034) << c.token;
    EXPECT_EQ(card->token, c.token) << c.token;
  }
}

TEST_F(SandboxGatewayTest, AttachRefusesTheDeclinedCards) {
  auto declined = gateway_.Attach({customer_, "pm_card_chargeDeclined"});
  ASSERT_FALSE(declined);
  EXPECT_EQ(declined.error().kind, ErrorKind::kFailedPrecondition);
  EXPECT_EQ(declined.error().code, "card_declined");
  EXPECT_EQ(declined.error().message, "Your card was declined.");

  auto broke = gateway_.Attach({customer_, "pm_card_chargeDeclinedInsufficientFunds"});
  ASSERT_FALSE(broke);
  EXPECT_EQ(broke.error().kind, ErrorKind::kFailedPrecondition);
  EXPECT_EQ(broke.error().code, "insufficient_funds");
  EXPECT_EQ(broke.error().message, "Your card has insufficient funds.");
}

TEST_F(SandboxGatewayTest, UnknownTokensAreInvalidAndListTheKnownOnes) {
  auto card = gateway_.Attach({customer_, "pm_card_bogus"});
  ASSERT_FALSE(card);
  EXPECT_EQ(card.error().kind, ErrorKind::kInvalidArgument);
  EXPECT_EQ(card.error().code, "unknown_payment_token");
  EXPECT_THAT(card.error().message, HasSubstr("pm_card_bogus"));
  EXPECT_THAT(card.error().message, HasSubstr("pm_card_visa"));
  EXPECT_THAT(card.error().message, HasSubstr("pm_card_chargeCustomerFail"));
  EXPECT_THAT(card.error().message, HasSubstr("pm_card_sandboxPendingThenPaid"));

  auto charge = gateway_.Charge(Request("tok_visa", "k1"));
  ASSERT_FALSE(charge);
  EXPECT_EQ(charge.error().kind, ErrorKind::kInvalidArgument);
  EXPECT_EQ(charge.error().code, "unknown_payment_token");
}

TEST_F(SandboxGatewayTest, GoodCardsPay) {
  for (const char* token : {"pm_card_visa", "pm_card_mastercard", "pm_card_amex"}) {
    auto outcome = gateway_.Charge(Request(token, std::string("key-") + token));
    ASSERT_TRUE(outcome) << token << ": " << outcome.error().message;
    EXPECT_EQ(outcome->status, ChargeStatus::kPaid) << token;
    EXPECT_THAT(outcome->gateway_charge_id, MatchesRegex("ch_sandbox_[0-9A-Za-z]{24}")) << token;
    EXPECT_EQ(outcome->code, "") << token;
    EXPECT_EQ(outcome->message, "") << token;
    EXPECT_FALSE(outcome->replayed) << token;
  }
}

// What each token's charge answers first, and what it is when looked up afterwards.
struct TokenCase {
  std::string token;
  ChargeStatus first;
  ChargeStatus then;
  std::string code;  // of the answer looked up
  std::string message;
};

TEST_F(SandboxGatewayTest, EachTokenAnswersAsDocumented) {
  const std::string declined = "Your card was declined.";
  for (const TokenCase& c : std::vector<TokenCase>{
           {"pm_card_visa", ChargeStatus::kPaid, ChargeStatus::kPaid, "", ""},
           {"pm_card_chargeDeclined", ChargeStatus::kDeclined, ChargeStatus::kDeclined,
            "card_declined", declined},
           {"pm_card_chargeDeclinedInsufficientFunds", ChargeStatus::kDeclined,
            ChargeStatus::kDeclined, "insufficient_funds", "Your card has insufficient funds."},
           {"pm_card_chargeCustomerFail", ChargeStatus::kDeclined, ChargeStatus::kDeclined,
            "card_declined", declined},
           {"pm_card_authenticationRequired", ChargeStatus::kRequiresAction,
            ChargeStatus::kRequiresAction, "authentication_required",
            "Your card was declined. This transaction requires authentication."},
           {"pm_card_sandboxPendingThenPaid", ChargeStatus::kPending, ChargeStatus::kPaid, "", ""},
           {"pm_card_sandboxPendingThenDeclined", ChargeStatus::kPending, ChargeStatus::kDeclined,
            "card_declined", declined}}) {
    auto first = gateway_.Charge(Request(c.token, "key-" + c.token));
    ASSERT_TRUE(first) << c.token << ": " << first.error().message;
    EXPECT_EQ(first->status, c.first) << c.token;
    auto then = gateway_.LookUpCharge({customer_, "key-" + c.token, ""});
    ASSERT_TRUE(then) << c.token << ": " << then.error().message;
    EXPECT_EQ(then->status, c.then) << c.token;
    EXPECT_EQ(then->gateway_charge_id, first->gateway_charge_id) << c.token;
    EXPECT_EQ(then->code, c.code) << c.token;
    EXPECT_EQ(then->message, c.message) << c.token;
  }
}

// A gateway that times out after charging: the charge is made, the answer lost; the same key
// asked again, by a charge or a look-up, answers what was made, and nothing is charged twice.
TEST_F(SandboxGatewayTest, AChargeWhoseAnswerIsLostIsMadeAndAnsweredWhenAskedAgain) {
  const ChargeRequest request = Request("pm_card_sandboxAnswerLostThenPaid", "key_lost");
  auto lost = gateway_.Charge(request);
  ASSERT_FALSE(lost);
  EXPECT_EQ(lost.error().kind, ErrorKind::kUnavailable);
  EXPECT_EQ(lost.error().code, "gateway_timeout");

  auto looked_up = gateway_.LookUpCharge({customer_, "key_lost", ""});
  ASSERT_TRUE(looked_up) << looked_up.error().message;
  EXPECT_EQ(looked_up->status, ChargeStatus::kPaid);
  auto again = gateway_.Charge(request);
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ(again->status, ChargeStatus::kPaid);
  EXPECT_TRUE(again->replayed);
  EXPECT_EQ(again->gateway_charge_id, looked_up->gateway_charge_id);
}

TEST_F(SandboxGatewayTest, OnlyAPendingChargeCanBeFinished) {
  auto paid = gateway_.Charge(Request("pm_card_visa", "k"));
  ASSERT_TRUE(paid);
  auto finished = gateway_.FinishPendingCharge(paid->gateway_charge_id);
  ASSERT_FALSE(finished);
  EXPECT_EQ(finished.error().kind, ErrorKind::kFailedPrecondition);
  EXPECT_EQ(finished.error().code, "charge_not_pending");
  auto unknown = gateway_.FinishPendingCharge("ch_sandbox_nope");
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, "charge_not_found");
}

TEST_F(SandboxGatewayTest, APendingChargeIsFinishedByItsKeyAsByItsId) {
  auto pending = gateway_.Charge(Request("pm_card_sandboxPendingThenPaid", "k"));
  ASSERT_TRUE(pending);
  ASSERT_EQ(pending->status, ChargeStatus::kPending);
  auto by_key = gateway_.FinishPendingChargeWithKey("k");
  ASSERT_TRUE(by_key) << by_key.error().message;
  auto notice = gateway_.ReadNotice(*by_key);
  ASSERT_TRUE(notice && *notice);
  EXPECT_EQ((*notice)->charge.outcome.status, ChargeStatus::kPaid);
  EXPECT_EQ((*notice)->charge.outcome.gateway_charge_id, pending->gateway_charge_id);
  auto again = gateway_.FinishPendingCharge(pending->gateway_charge_id);  // the same notice
  ASSERT_TRUE(again);
  EXPECT_EQ(again->body, by_key->body);
  EXPECT_EQ(gateway_.FinishPendingChargeWithKey("no-such-key").error().code, "charge_not_found");
}

TEST_F(SandboxGatewayTest, MalformedRequestsAreRefusedAndNotRemembered) {
  auto zero = gateway_.Charge(Request("pm_card_visa", "k", 0));
  ASSERT_FALSE(zero);
  EXPECT_EQ(zero.error().kind, ErrorKind::kInvalidArgument);
  EXPECT_EQ(zero.error().param, "amount");

  ChargeRequest lower = Request("pm_card_visa", "k");
  lower.currency = "usd";
  auto currency = gateway_.Charge(lower);
  ASSERT_FALSE(currency);
  EXPECT_EQ(currency.error().param, "currency");

  auto no_key = gateway_.Charge(Request("pm_card_visa", ""));
  ASSERT_FALSE(no_key);
  EXPECT_EQ(no_key.error().param, "idempotency_key");

  auto valid = gateway_.Charge(Request("pm_card_visa", "k"));
  ASSERT_TRUE(valid) << valid.error().message;
  EXPECT_FALSE(valid->replayed);

  auto no_amount = gateway_.Refund({valid->gateway_charge_id, 0, "refund-1"});
  ASSERT_FALSE(no_amount);
  EXPECT_EQ(no_amount.error().param, "amount");
  auto no_refund_key = gateway_.Refund({valid->gateway_charge_id, 100, ""});
  ASSERT_FALSE(no_refund_key);
  EXPECT_EQ(no_refund_key.error().param, "idempotency_key");
}

TEST(SandboxGatewayIds, ComeFromTheGeneratorWhenGiven) {
  MemorySandboxLedger ledger;
  SeededIdGenerator ids(7);
  SeededIdGenerator expected(7);
  SandboxGateway gateway(ledger, &ids);
  const std::string customer = gateway.EnsureCustomer({"cpayer_1", "", ""}).value();
  auto charge = gateway.Charge({customer, "pm_card_visa", 2000, "USD", "k", ""});
  ASSERT_TRUE(charge) << charge.error().message;
  EXPECT_EQ(charge->gateway_charge_id, expected.NewId("ch_sandbox"));
  auto refund = gateway.Refund({charge->gateway_charge_id, 2000, "refund-1"});
  ASSERT_TRUE(refund) << refund.error().message;
  EXPECT_EQ(refund->gateway_refund_id, expected.NewId("re_sandbox"));
}

}  // namespace
}  // namespace recur::sandbox_gateway_test
