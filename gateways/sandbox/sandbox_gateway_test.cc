#include "gateways/sandbox/sandbox_gateway.h"

#include <set>
#include <string>
#include <thread>
#include <vector>

#include <SQLiteCpp/SQLiteCpp.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/support/temporary_database.h"
namespace recur {
namespace {

using ::testing::HasSubstr;
using ::testing::MatchesRegex;

ChargeRequest Request(std::string token, std::string key, std::int64_t amount = 2000) {
  return ChargeRequest{std::move(token), amount, "USD", std::move(key), "Pro, monthly"};
}

class SandboxGatewayTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto gateway = SandboxGateway::Open(":memory:");
    ASSERT_TRUE(gateway) << gateway.error().message;
    gateway_ = std::move(*gateway);
  }

  std::unique_ptr<SandboxGateway> gateway_;
};

// A gateway file of its own for each test.
class SandboxGatewayFileTest : public ::testing::Test {
 protected:
  TemporaryDatabase database_;
};

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
                               {"pm_card_chargeCustomerFail", "visa", "0341"}}) {
    auto card = gateway_->Attach(c.token);
    ASSERT_TRUE(card) << c.token << ": " << card.error().message;
    EXPECT_EQ(card->brand, c.brand) << c.token;
    EXPECT_EQ(card->last4, c.last4) << c.token;
    EXPECT_EQ(card->exp_month, 12) << c.token;
    EXPECT_EQ(card->exp_year, 2034) << c.token;
  }
}

TEST_F(SandboxGatewayTest, AttachRefusesTheDeclinedCards) {
  auto declined = gateway_->Attach("pm_card_chargeDeclined");
  ASSERT_FALSE(declined);
  EXPECT_EQ(declined.error().kind, ErrorKind::kFailedPrecondition);
  EXPECT_EQ(declined.error().code, "card_declined");
  EXPECT_EQ(declined.error().message, "Your card was declined.");

  auto broke = gateway_->Attach("pm_card_chargeDeclinedInsufficientFunds");
  ASSERT_FALSE(broke);
  EXPECT_EQ(broke.error().kind, ErrorKind::kFailedPrecondition);
  EXPECT_EQ(broke.error().code, "insufficient_funds");
  EXPECT_EQ(broke.error().message, "Your card has insufficient funds.");
}

TEST_F(SandboxGatewayTest, UnknownTokensAreInvalidAndListTheKnownOnes) {
  auto card = gateway_->Attach("pm_card_bogus");
  ASSERT_FALSE(card);
  EXPECT_EQ(card.error().kind, ErrorKind::kInvalidArgument);
  EXPECT_EQ(card.error().code, "unknown_payment_token");
  EXPECT_THAT(card.error().message, HasSubstr("pm_card_bogus"));
  EXPECT_THAT(card.error().message, HasSubstr("pm_card_visa"));
  EXPECT_THAT(card.error().message, HasSubstr("pm_card_chargeCustomerFail"));

  auto charge = gateway_->Charge(Request("tok_visa", "k1"));
  ASSERT_FALSE(charge);
  EXPECT_EQ(charge.error().kind, ErrorKind::kInvalidArgument);
  EXPECT_EQ(charge.error().code, "unknown_payment_token");
}

TEST_F(SandboxGatewayTest, GoodCardsPay) {
  for (const char* token : {"pm_card_visa", "pm_card_mastercard", "pm_card_amex"}) {
    auto outcome = gateway_->Charge(Request(token, std::string("key-") + token));
    ASSERT_TRUE(outcome) << token << ": " << outcome.error().message;
    EXPECT_EQ(outcome->status, ChargeStatus::kPaid) << token;
    EXPECT_THAT(outcome->gateway_charge_id, MatchesRegex("ch_sandbox_[0-9A-Za-z]{24}")) << token;
    EXPECT_EQ(outcome->code, "") << token;
    EXPECT_EQ(outcome->message, "") << token;
    EXPECT_FALSE(outcome->replayed) << token;
  }
}

struct DeclineCase {
  std::string token;
  std::string code;
  std::string message;
};

TEST_F(SandboxGatewayTest, DeclinesAreOutcomesNotErrors) {
  for (const DeclineCase& c : std::vector<DeclineCase>{
           {"pm_card_chargeDeclined", "card_declined", "Your card was declined."},
           {"pm_card_chargeDeclinedInsufficientFunds", "insufficient_funds",
            "Your card has insufficient funds."},
           {"pm_card_chargeCustomerFail", "card_declined", "Your card was declined."}}) {
    auto outcome = gateway_->Charge(Request(c.token, "key-" + c.token));
    ASSERT_TRUE(outcome) << c.token << ": " << outcome.error().message;
    EXPECT_EQ(outcome->status, ChargeStatus::kDeclined) << c.token;
    EXPECT_THAT(outcome->gateway_charge_id, MatchesRegex("ch_sandbox_[0-9A-Za-z]{24}")) << c.token;
    EXPECT_EQ(outcome->code, c.code) << c.token;
    EXPECT_EQ(outcome->message, c.message) << c.token;
    EXPECT_FALSE(outcome->replayed) << c.token;
  }
}

TEST_F(SandboxGatewayTest, EachKeyIsANewCharge) {
  auto a = gateway_->Charge(Request("pm_card_visa", "a"));
  auto b = gateway_->Charge(Request("pm_card_visa", "b"));
  ASSERT_TRUE(a && b);
  EXPECT_NE(a->gateway_charge_id, b->gateway_charge_id);
  EXPECT_FALSE(b->replayed);
}

TEST_F(SandboxGatewayTest, SameKeyReplaysTheFirstOutcome) {
  auto first = gateway_->Charge(Request("pm_card_visa", "inv_1-attempt_1"));
  ASSERT_TRUE(first) << first.error().message;
  ChargeRequest again = Request("pm_card_visa", "inv_1-attempt_1");
  again.description = "a different description does not matter";
  auto second = gateway_->Charge(again);
  ASSERT_TRUE(second) << second.error().message;
  EXPECT_EQ(second->status, ChargeStatus::kPaid);
  EXPECT_EQ(second->gateway_charge_id, first->gateway_charge_id);
  EXPECT_TRUE(second->replayed);
}

TEST_F(SandboxGatewayTest, ADeclineReplaysAsTheSameDecline) {
  auto first = gateway_->Charge(Request("pm_card_chargeDeclinedInsufficientFunds", "k"));
  auto second = gateway_->Charge(Request("pm_card_chargeDeclinedInsufficientFunds", "k"));
  ASSERT_TRUE(first && second);
  EXPECT_EQ(second->status, ChargeStatus::kDeclined);
  EXPECT_EQ(second->gateway_charge_id, first->gateway_charge_id);
  EXPECT_EQ(second->code, "insufficient_funds");
  EXPECT_EQ(second->message, "Your card has insufficient funds.");
  EXPECT_TRUE(second->replayed);
}

TEST_F(SandboxGatewayTest, APaidKeyStaysPaid) {
  auto first = gateway_->Charge(Request("pm_card_visa", "k"));
  ASSERT_TRUE(first);
  for (int i = 0; i < 5; ++i) {
    auto again = gateway_->Charge(Request("pm_card_visa", "k"));
    ASSERT_TRUE(again) << again.error().message;
    EXPECT_EQ(again->status, ChargeStatus::kPaid);
    EXPECT_EQ(again->gateway_charge_id, first->gateway_charge_id);
    EXPECT_TRUE(again->replayed);
  }
}

TEST_F(SandboxGatewayTest, ReusingAKeyForADifferentRequestIsRefused) {
  ASSERT_TRUE(gateway_->Charge(Request("pm_card_visa", "k", 2000)));

  auto amount = gateway_->Charge(Request("pm_card_visa", "k", 2500));
  ASSERT_FALSE(amount);
  EXPECT_EQ(amount.error().kind, ErrorKind::kInvalidArgument);
  EXPECT_EQ(amount.error().code, "idempotency_key_reused");
  EXPECT_EQ(amount.error().param, "idempotency_key");

  ChargeRequest euros = Request("pm_card_visa", "k", 2000);
  euros.currency = "EUR";
  auto currency = gateway_->Charge(euros);
  ASSERT_FALSE(currency);
  EXPECT_EQ(currency.error().code, "idempotency_key_reused");

  auto token = gateway_->Charge(Request("pm_card_mastercard", "k", 2000));
  ASSERT_FALSE(token);
  EXPECT_EQ(token.error().code, "idempotency_key_reused");

  // The refused attempts changed nothing: the original request still replays.
  auto original = gateway_->Charge(Request("pm_card_visa", "k", 2000));
  ASSERT_TRUE(original);
  EXPECT_TRUE(original->replayed);
}

TEST_F(SandboxGatewayTest, MalformedRequestsAreRefusedAndNotRemembered) {
  auto zero = gateway_->Charge(Request("pm_card_visa", "k", 0));
  ASSERT_FALSE(zero);
  EXPECT_EQ(zero.error().kind, ErrorKind::kInvalidArgument);
  EXPECT_EQ(zero.error().param, "amount");

  ChargeRequest lower = Request("pm_card_visa", "k");
  lower.currency = "usd";
  auto currency = gateway_->Charge(lower);
  ASSERT_FALSE(currency);
  EXPECT_EQ(currency.error().param, "currency");

  auto no_key = gateway_->Charge(Request("pm_card_visa", ""));
  ASSERT_FALSE(no_key);
  EXPECT_EQ(no_key.error().param, "idempotency_key");

  auto valid = gateway_->Charge(Request("pm_card_visa", "k"));
  ASSERT_TRUE(valid) << valid.error().message;
  EXPECT_FALSE(valid->replayed);
}

TEST_F(SandboxGatewayTest, ConcurrentChargesWithOneKeyChargeOnce) {
  constexpr int kThreads = 8;
  std::vector<Result<ChargeOutcome>> outcomes(kThreads);
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back(
        [&, i] { outcomes[i] = gateway_->Charge(Request("pm_card_visa", "shared-key")); });
  }
  for (std::thread& thread : threads) thread.join();
  std::set<std::string> ids;
  int fresh = 0;
  for (const auto& outcome : outcomes) {
    ASSERT_TRUE(outcome) << outcome.error().message;
    EXPECT_EQ(outcome->status, ChargeStatus::kPaid);
    ids.insert(outcome->gateway_charge_id);
    if (!outcome->replayed) ++fresh;
  }
  EXPECT_EQ(ids.size(), 1u);
  EXPECT_EQ(fresh, 1);
}

TEST_F(SandboxGatewayFileTest, ReplaySurvivesReopening) {
  std::string charge_id;
  {
    auto gateway = SandboxGateway::Open(database_.path());
    ASSERT_TRUE(gateway) << gateway.error().message;
    auto first = (*gateway)->Charge(Request("pm_card_visa", "inv_9-attempt_1"));
    ASSERT_TRUE(first) << first.error().message;
    EXPECT_FALSE(first->replayed);
    charge_id = first->gateway_charge_id;
  }
  auto reopened = SandboxGateway::Open(database_.path());
  ASSERT_TRUE(reopened) << reopened.error().message;
  auto again = (*reopened)->Charge(Request("pm_card_visa", "inv_9-attempt_1"));
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ(again->status, ChargeStatus::kPaid);
  EXPECT_EQ(again->gateway_charge_id, charge_id);
  EXPECT_TRUE(again->replayed);

  auto reused = (*reopened)->Charge(Request("pm_card_visa", "inv_9-attempt_1", 1));
  ASSERT_FALSE(reused);
  EXPECT_EQ(reused.error().code, "idempotency_key_reused");
}

TEST_F(SandboxGatewayFileTest, KeepsItsOwnTableInWalMode) {
  {
    auto gateway = SandboxGateway::Open(database_.path());
    ASSERT_TRUE(gateway) << gateway.error().message;
    ASSERT_TRUE((*gateway)->Charge(Request("pm_card_chargeDeclined", "k")));
  }
  SQLite::Database db(database_.path(), SQLite::OPEN_READONLY);
  EXPECT_EQ(db.execAndGet("PRAGMA journal_mode").getString(), "wal");
  SQLite::Statement row(db,
                        "SELECT status, decline_code, charge_id FROM sandbox_charges "
                        "WHERE idempotency_key = 'k'");
  ASSERT_TRUE(row.executeStep());
  EXPECT_EQ(row.getColumn(0).getString(), "declined");
  EXPECT_EQ(row.getColumn(1).getString(), "card_declined");
  EXPECT_THAT(row.getColumn(2).getString(), HasSubstr("ch_sandbox_"));
}

TEST_F(SandboxGatewayFileTest, TwoGatewaysOnOneFileChargeAKeyOnce) {
  auto a = SandboxGateway::Open(database_.path());
  auto b = SandboxGateway::Open(database_.path());
  ASSERT_TRUE(a && b);
  std::vector<Result<ChargeOutcome>> outcomes(8);
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i) {
    SandboxGateway& gateway = i % 2 == 0 ? **a : **b;
    threads.emplace_back(
        [&, i] { outcomes[i] = gateway.Charge(Request("pm_card_amex", "cross-process")); });
  }
  for (std::thread& thread : threads) thread.join();
  std::set<std::string> ids;
  for (const auto& outcome : outcomes) {
    ASSERT_TRUE(outcome) << outcome.error().message;
    ids.insert(outcome->gateway_charge_id);
  }
  EXPECT_EQ(ids.size(), 1u);
}

TEST(SandboxGatewayOpenTest, AnUnopenableFileIsUnavailable) {
  auto gateway = SandboxGateway::Open("/nonexistent-directory/recur/sandbox.db");
  ASSERT_FALSE(gateway);
  EXPECT_EQ(gateway.error().kind, ErrorKind::kUnavailable);
  EXPECT_EQ(gateway.error().code, "storage_error");
}

}  // namespace
}  // namespace recur
