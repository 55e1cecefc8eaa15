// The PaymentGateway contract (payment_gateway.h), run on the sandbox gateway over each of its
// ledgers: in memory, SQLite in memory, a SQLite file and a PostgreSQL database (both of which
// a restart reopens), and on the Stripe gateway against the fake Stripe of the tests (which a
// restart of the gateway keeps). Every outcome is reached through test tokens (Stripe's, and for
// a pending charge the sandbox's or the fake's own); what the sandbox alone promises (its token
// table, its ids) is in sandbox/sandbox_gateway_test.cc, what Stripe's alone does in
// stripe/stripe_gateway_test.cc.

#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "gateways/payment_gateway.h"
#include "gateways/sandbox/memory_sandbox_ledger.h"
#include "gateways/sandbox/sandbox_gateway.h"
#include "gateways/stripe/stripe_gateway.h"
#include "store/postgres/postgres_sandbox_ledger.h"
#include "store/sqlite/sqlite_sandbox_ledger.h"
#include "tests/support/fake_stripe.h"
#include "tests/support/temporary_database.h"
#include "tests/support/temporary_postgres.h"

namespace recur::payment_gateway_contract_test {
namespace {

using ::testing::HasSubstr;

// The sandbox over one of its ledgers, or Stripe's gateway against the fake Stripe.
enum class LedgerKind { kMemory, kSqliteInMemory, kSqliteFile, kPostgres, kFakeStripe };

std::string LedgerName(const ::testing::TestParamInfo<LedgerKind>& info) {
  switch (info.param) {
    case LedgerKind::kMemory:
      return "Memory";
    case LedgerKind::kSqliteInMemory:
      return "SqliteInMemory";
    case LedgerKind::kSqliteFile:
      return "SqliteFile";
    case LedgerKind::kPostgres:
      return "Postgres";
    case LedgerKind::kFakeStripe:
      return "FakeStripe";
  }
  return "";
}

constexpr const char* kPays = "pm_card_visa";
constexpr const char* kDeclines = "pm_card_chargeCustomerFail";
constexpr const char* kRequiresAction = "pm_card_authenticationRequired";

class PaymentGatewayContractTest : public ::testing::TestWithParam<LedgerKind> {
 protected:
  void SetUp() override {
    Reopen();
    auto customer = gateway().EnsureCustomer({"cpayer_1", "payer@example.com", "Payer"});
    ASSERT_TRUE(customer) << customer.error().message;
    customer_ = *customer;
  }

  // A new gateway on the same records; for a SQLite file or a PostgreSQL database, the records
  // opened again (a restart).
  void Reopen() {
    gateway_.reset();
    stripe_.reset();
    if (GetParam() == LedgerKind::kFakeStripe) {
      if (fake_stripe_ == nullptr) fake_stripe_ = std::make_unique<testing::FakeStripe>();
      StripeClientOptions options;
      options.secret_key = "sk_test_contract";
      options.api_base = fake_stripe_->base_url();
      options.sleep = [](std::chrono::milliseconds) {};
      stripe_ = std::make_unique<StripeGateway>(options);
      return;
    }
    const bool kept = GetParam() == LedgerKind::kSqliteFile || GetParam() == LedgerKind::kPostgres;
    if (kept || !ledger_) {
      ledger_.reset();
      if (GetParam() == LedgerKind::kMemory) {
        ledger_ = std::make_unique<MemorySandboxLedger>();
      } else if (GetParam() == LedgerKind::kPostgres) {
        if (postgres_ == nullptr) postgres_ = std::make_unique<TemporaryPostgresDatabase>();
        ASSERT_TRUE(postgres_->ok()) << postgres_->error();
        auto opened = PostgresSandboxLedger::Open(postgres_->settings(2), Instant{});
        ASSERT_TRUE(opened) << opened.error().message;
        ledger_ = std::move(*opened);
      } else {
        auto opened = SqliteSandboxLedger::Open(
            GetParam() == LedgerKind::kSqliteFile ? database_.path() : ":memory:");
        ASSERT_TRUE(opened) << opened.error().message;
        ledger_ = std::move(*opened);
      }
    }
    gateway_ = std::make_unique<SandboxGateway>(*ledger_);
  }

  PaymentGateway& gateway() {
    if (stripe_) return *stripe_;
    return *gateway_;
  }
  SandboxGateway& sandbox() { return *gateway_; }
  bool IsSandbox() const { return GetParam() != LedgerKind::kFakeStripe; }

  // Tokens whose charges are answered pending, then decided when asked about.
  std::string PendingThenPaid() const {
    return IsSandbox() ? "pm_card_sandboxPendingThenPaid" : "pm_card_fakeProcessingThenSucceeded";
  }
  std::string PendingThenDeclined() const {
    return IsSandbox() ? "pm_card_sandboxPendingThenDeclined"
                       : "pm_card_fakeProcessingThenDeclined";
  }

  ChargeRequest Request(std::string token, std::string key, std::int64_t amount = 2000) {
    return {customer_,      std::move(token),    amount,     "USD",
            std::move(key), "recur csub_item_1", "cpayer_1", "cpay_1"};
  }

  ChargeOutcome MustCharge(std::string token, std::string key, std::int64_t amount = 2000) {
    auto outcome = gateway().Charge(Request(std::move(token), std::move(key), amount));
    EXPECT_TRUE(outcome) << outcome.error().message;
    return outcome.value_or(ChargeOutcome{});
  }

  Result<ChargeOutcome> LookUp(const std::string& key, const std::string& charge_id = "") {
    return gateway().LookUpCharge({customer_, key, charge_id});
  }

  TemporaryDatabase database_;                           // for kSqliteFile
  std::unique_ptr<TemporaryPostgresDatabase> postgres_;  // for kPostgres; dropped after the ledger
  std::unique_ptr<SandboxLedger> ledger_;
  std::unique_ptr<SandboxGateway> gateway_;
  std::unique_ptr<testing::FakeStripe> fake_stripe_;  // for kFakeStripe; kept by Reopen
  std::unique_ptr<StripeGateway> stripe_;
  std::string customer_;
};

INSTANTIATE_TEST_SUITE_P(Ledgers, PaymentGatewayContractTest,
                         ::testing::Values(LedgerKind::kMemory, LedgerKind::kSqliteInMemory,
                                           LedgerKind::kSqliteFile, LedgerKind::kPostgres,
                                           LedgerKind::kFakeStripe),
                         LedgerName);

// The gateway's asynchronous notices. Run on the sandbox's ledgers only: Stripe's are signed
// events, which stripe/stripe_gateway_test.cc reads.
class GatewayNoticeContractTest : public PaymentGatewayContractTest {};

INSTANTIATE_TEST_SUITE_P(Ledgers, GatewayNoticeContractTest,
                         ::testing::Values(LedgerKind::kMemory, LedgerKind::kSqliteInMemory,
                                           LedgerKind::kSqliteFile, LedgerKind::kPostgres),
                         LedgerName);

// ---------------------------------------------------------------------------------------------
// Customers

TEST_P(PaymentGatewayContractTest, APayerHasOneCustomerHoweverOftenAsked) {
  auto again = gateway().EnsureCustomer({"cpayer_1", "payer@example.com", "Payer"});
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ(*again, customer_);
  auto other = gateway().EnsureCustomer({"cpayer_2", "other@example.com", ""});
  ASSERT_TRUE(other) << other.error().message;
  EXPECT_NE(*other, customer_);

  std::vector<Result<std::string>> concurrent(8, std::string());
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&, i] {
      concurrent[i] = gateway().EnsureCustomer({"cpayer_3", "", ""});
    });
  }
  for (std::thread& thread : threads) thread.join();
  std::set<std::string> references;
  for (const auto& reference : concurrent) {
    ASSERT_TRUE(reference) << reference.error().message;
    references.insert(*reference);
  }
  EXPECT_EQ(references.size(), 1u);

  Reopen();
  EXPECT_EQ(gateway().EnsureCustomer({"cpayer_1", "", ""}).value(), customer_);
}

TEST_P(PaymentGatewayContractTest, AttachAndChargeNeedAKnownCustomer) {
  auto card = gateway().Attach({customer_, kPays});
  ASSERT_TRUE(card) << card.error().message;
  // Stripe gives an attached test PaymentMethod an id of its own; the sandbox keeps the token.
  if (IsSandbox()) {
    EXPECT_EQ(card->token, kPays);
  }
  EXPECT_FALSE(card->token.empty());

  auto attach = gateway().Attach({"cus_nobody", kPays});
  ASSERT_FALSE(attach);
  EXPECT_EQ(attach.error().kind, ErrorKind::kInvalidArgument);
  EXPECT_EQ(attach.error().code, "unknown_customer");
  ChargeRequest stranger = Request(kPays, "k");
  stranger.customer = "cus_nobody";
  auto charge = gateway().Charge(stranger);
  ASSERT_FALSE(charge);
  EXPECT_EQ(charge.error().code, "unknown_customer");
  // Refused, so not remembered: the key is still free.
  EXPECT_FALSE(MustCharge(kPays, "k").replayed);
}

TEST_P(PaymentGatewayContractTest, ACardSetupIsOpenedForAKnownCustomer) {
  auto setup = gateway().StartCardSetup(customer_);
  ASSERT_TRUE(setup) << setup.error().message;
  EXPECT_FALSE(setup->id.empty());
  EXPECT_FALSE(setup->client_secret.empty());
  auto another = gateway().StartCardSetup(customer_);
  ASSERT_TRUE(another) << another.error().message;
  EXPECT_NE(another->id, setup->id);

  auto stranger = gateway().StartCardSetup("cus_nobody");
  ASSERT_FALSE(stranger);
  EXPECT_EQ(stranger.error().code, "unknown_customer");
}

TEST_P(PaymentGatewayContractTest, ASavedCardBecomesTheDefaultOfItsCustomerOnly) {
  auto card = gateway().Attach({customer_, kPays});
  ASSERT_TRUE(card) << card.error().message;
  EXPECT_TRUE(gateway().SetDefaultCard({customer_, card->token}));
  EXPECT_TRUE(gateway().SetDefaultCard({customer_, card->token}));  // again: no change

  auto stranger = gateway().SetDefaultCard({"cus_nobody", card->token});
  ASSERT_FALSE(stranger);
  EXPECT_EQ(stranger.error().code, "unknown_customer");
  auto unknown = gateway().SetDefaultCard({customer_, "pm_nothing_such"});
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, "unknown_payment_token");
}

TEST_P(PaymentGatewayContractTest, DetachingIsIdempotentAndLeavesOtherCustomersCards) {
  auto other = gateway().EnsureCustomer({"cpayer_2", "other@example.com", ""});
  ASSERT_TRUE(other) << other.error().message;
  auto theirs = gateway().Attach({*other, kPays});
  ASSERT_TRUE(theirs) << theirs.error().message;
  auto mine = gateway().Attach({customer_, kPays});
  ASSERT_TRUE(mine) << mine.error().message;

  EXPECT_TRUE(gateway().Detach({customer_, mine->token}));
  EXPECT_TRUE(gateway().Detach({customer_, mine->token}));        // detached before
  EXPECT_TRUE(gateway().Detach({customer_, "pm_nothing_such"}));  // never held
  EXPECT_TRUE(gateway().Detach({customer_, theirs->token}));      // another's: left alone
  EXPECT_TRUE(gateway().SetDefaultCard({*other, theirs->token}));
  ChargeRequest charge = Request(theirs->token, "theirs");
  charge.customer = *other;
  auto paid = gateway().Charge(charge);
  ASSERT_TRUE(paid) << paid.error().message;
  EXPECT_EQ(paid->status, ChargeStatus::kPaid);
}

// ---------------------------------------------------------------------------------------------
// The four outcomes

TEST_P(PaymentGatewayContractTest, APaidChargeCarriesItsIdAndNoCode) {
  const ChargeOutcome paid = MustCharge(kPays, "k");
  EXPECT_EQ(paid.status, ChargeStatus::kPaid);
  EXPECT_FALSE(paid.gateway_charge_id.empty());
  EXPECT_EQ(paid.code, "");
  EXPECT_EQ(paid.message, "");
  EXPECT_FALSE(paid.replayed);
}

TEST_P(PaymentGatewayContractTest, ADeclineIsAnOutcomeWithTheGatewaysCodeAndMessage) {
  const ChargeOutcome declined = MustCharge(kDeclines, "k");
  EXPECT_EQ(declined.status, ChargeStatus::kDeclined);
  EXPECT_FALSE(declined.gateway_charge_id.empty());
  EXPECT_EQ(declined.code, "card_declined");
  EXPECT_EQ(declined.message, "Your card was declined.");

  const ChargeOutcome broke = MustCharge("pm_card_chargeDeclinedInsufficientFunds", "k2");
  EXPECT_EQ(broke.status, ChargeStatus::kDeclined);
  EXPECT_EQ(broke.code, "insufficient_funds");
  EXPECT_EQ(broke.message, "Your card has insufficient funds.");
}

TEST_P(PaymentGatewayContractTest, AChargeThatNeedsTheCardholderRequiresAction) {
  const ChargeOutcome action = MustCharge(kRequiresAction, "k");
  EXPECT_EQ(action.status, ChargeStatus::kRequiresAction);
  EXPECT_EQ(action.code, "authentication_required");
  EXPECT_EQ(action.message, "Your card was declined. This transaction requires authentication.");
  EXPECT_FALSE(action.gateway_charge_id.empty());
  // It stays so: asking again does not turn it into a payment.
  EXPECT_EQ(LookUp("k")->status, ChargeStatus::kRequiresAction);
}

TEST_P(PaymentGatewayContractTest, APendingChargeIsSettledByAskingAgain) {
  const ChargeOutcome pending = MustCharge(PendingThenPaid(), "k");
  EXPECT_EQ(pending.status, ChargeStatus::kPending);
  EXPECT_FALSE(pending.gateway_charge_id.empty());

  auto by_key = LookUp("k");
  ASSERT_TRUE(by_key) << by_key.error().message;
  EXPECT_EQ(by_key->status, ChargeStatus::kPaid);
  EXPECT_EQ(by_key->gateway_charge_id, pending.gateway_charge_id);
  auto by_id = LookUp("", pending.gateway_charge_id);
  ASSERT_TRUE(by_id) << by_id.error().message;
  EXPECT_EQ(by_id->status, ChargeStatus::kPaid);
  // The key still answers its first outcome; it never charges again.
  const ChargeOutcome replayed = MustCharge(PendingThenPaid(), "k");
  EXPECT_EQ(replayed.status, ChargeStatus::kPending);
  EXPECT_EQ(replayed.gateway_charge_id, pending.gateway_charge_id);
  EXPECT_TRUE(replayed.replayed);

  MustCharge(PendingThenDeclined(), "k2");
  auto declined = LookUp("k2");
  ASSERT_TRUE(declined) << declined.error().message;
  EXPECT_EQ(declined->status, ChargeStatus::kDeclined);
  EXPECT_EQ(declined->code, "card_declined");
  EXPECT_EQ(declined->message, "Your card was declined.");
  Reopen();
  EXPECT_EQ(LookUp("k2")->status, ChargeStatus::kDeclined);
}

TEST_P(GatewayNoticeContractTest, APendingChargeIsSettledByANotice) {
  const ChargeOutcome pending = MustCharge(PendingThenPaid(), "k");
  auto message = sandbox().FinishPendingCharge(pending.gateway_charge_id);
  ASSERT_TRUE(message) << message.error().message;

  auto notice = gateway().ReadNotice(*message);
  ASSERT_TRUE(notice) << notice.error().message;
  ASSERT_TRUE(notice->has_value());
  EXPECT_EQ((*notice)->kind, GatewayNotice::Kind::kChargeOutcome);
  const ChargeNotice& said = (*notice)->charge;
  EXPECT_EQ(said.payer_id, "cpayer_1");
  EXPECT_EQ(said.attempt_id, "cpay_1");
  EXPECT_EQ(said.idempotency_key, "k");
  EXPECT_EQ(said.outcome.status, ChargeStatus::kPaid);
  EXPECT_EQ(said.outcome.gateway_charge_id, pending.gateway_charge_id);
  // The notice and a look-up tell the same, and the notice may come again.
  EXPECT_EQ(LookUp("k")->status, ChargeStatus::kPaid);
  auto again = sandbox().FinishPendingCharge(pending.gateway_charge_id);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->body, message->body);
  EXPECT_TRUE(gateway().ReadNotice(*again).value().has_value());
}

TEST_P(GatewayNoticeContractTest, ANoticeThatCannotBeVerifiedOrReadIsRefused) {
  const ChargeOutcome pending = MustCharge(PendingThenDeclined(), "k");
  GatewayMessage message = sandbox().FinishPendingCharge(pending.gateway_charge_id).value();
  GatewayMessage forged = message;
  const std::string declined = "\"status\":\"declined\"";
  forged.body.replace(forged.body.find(declined), declined.size(), "\"status\":\"paid\"");

  auto refused = gateway().ReadNotice(forged);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().kind, ErrorKind::kUnauthenticated);
  EXPECT_EQ(refused.error().code, "notice_not_verified");
  auto unreadable = gateway().ReadNotice({{}, "not json"});
  ASSERT_FALSE(unreadable);
  EXPECT_EQ(unreadable.error().code, "invalid_notice");
  auto other = gateway().ReadNotice({{}, R"({"type": "customer.updated"})"});
  ASSERT_TRUE(other) << other.error().message;
  EXPECT_FALSE(other->has_value());
}

TEST_P(PaymentGatewayContractTest, AChargeNeverMadeIsNotFound) {
  auto missing = LookUp("never-charged");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().kind, ErrorKind::kNotFound);
  EXPECT_EQ(missing.error().code, "charge_not_found");
  const ChargeOutcome paid = MustCharge(kPays, "k");
  EXPECT_EQ(LookUp("other-key", paid.gateway_charge_id).error().code, "charge_not_found");
}

// ---------------------------------------------------------------------------------------------
// Idempotency

TEST_P(PaymentGatewayContractTest, EachKeyIsANewCharge) {
  const ChargeOutcome a = MustCharge(kPays, "a");
  const ChargeOutcome b = MustCharge(kPays, "b");
  EXPECT_NE(a.gateway_charge_id, b.gateway_charge_id);
  EXPECT_FALSE(b.replayed);
}

TEST_P(PaymentGatewayContractTest, SameKeyReplaysTheFirstOutcome) {
  const ChargeOutcome first = MustCharge(kPays, "inv_1-attempt_1");
  ChargeRequest again = Request(kPays, "inv_1-attempt_1");
  again.description = "a different description does not matter";
  auto second = gateway().Charge(again);
  ASSERT_TRUE(second) << second.error().message;
  EXPECT_EQ(second->status, ChargeStatus::kPaid);
  EXPECT_EQ(second->gateway_charge_id, first.gateway_charge_id);
  EXPECT_TRUE(second->replayed);
}

TEST_P(PaymentGatewayContractTest, ADeclineReplaysAsTheSameDecline) {
  const ChargeOutcome first = MustCharge("pm_card_chargeDeclinedInsufficientFunds", "k");
  const ChargeOutcome second = MustCharge("pm_card_chargeDeclinedInsufficientFunds", "k");
  EXPECT_EQ(second.status, ChargeStatus::kDeclined);
  EXPECT_EQ(second.gateway_charge_id, first.gateway_charge_id);
  EXPECT_EQ(second.code, "insufficient_funds");
  EXPECT_EQ(second.message, "Your card has insufficient funds.");
  EXPECT_TRUE(second.replayed);
}

TEST_P(PaymentGatewayContractTest, APaidKeyStaysPaid) {
  const ChargeOutcome first = MustCharge(kPays, "k");
  for (int i = 0; i < 5; ++i) {
    const ChargeOutcome again = MustCharge(kPays, "k");
    EXPECT_EQ(again.status, ChargeStatus::kPaid);
    EXPECT_EQ(again.gateway_charge_id, first.gateway_charge_id);
    EXPECT_TRUE(again.replayed);
  }
}

TEST_P(PaymentGatewayContractTest, ReusingAKeyForADifferentRequestIsRefused) {
  MustCharge(kPays, "k", 2000);

  auto amount = gateway().Charge(Request(kPays, "k", 2500));
  ASSERT_FALSE(amount);
  EXPECT_EQ(amount.error().kind, ErrorKind::kInvalidArgument);
  EXPECT_EQ(amount.error().code, "idempotency_key_reused");
  EXPECT_EQ(amount.error().param, "idempotency_key");

  ChargeRequest euros = Request(kPays, "k", 2000);
  euros.currency = "EUR";
  auto currency = gateway().Charge(euros);
  ASSERT_FALSE(currency);
  EXPECT_EQ(currency.error().code, "idempotency_key_reused");

  auto token = gateway().Charge(Request("pm_card_mastercard", "k", 2000));
  ASSERT_FALSE(token);
  EXPECT_EQ(token.error().code, "idempotency_key_reused");

  // The refused attempts changed nothing: the original request still replays.
  EXPECT_TRUE(MustCharge(kPays, "k", 2000).replayed);
}

TEST_P(PaymentGatewayContractTest, ReplaySurvivesAReopening) {
  const ChargeOutcome first = MustCharge(kPays, "inv_9-attempt_1");
  EXPECT_FALSE(first.replayed);
  const ChargeOutcome pending = MustCharge(PendingThenPaid(), "inv_9-attempt_2");

  Reopen();

  const ChargeOutcome again = MustCharge(kPays, "inv_9-attempt_1");
  EXPECT_EQ(again.status, ChargeStatus::kPaid);
  EXPECT_EQ(again.gateway_charge_id, first.gateway_charge_id);
  EXPECT_TRUE(again.replayed);
  auto reused = gateway().Charge(Request(kPays, "inv_9-attempt_1", 1));
  ASSERT_FALSE(reused);
  EXPECT_EQ(reused.error().code, "idempotency_key_reused");
  EXPECT_EQ(MustCharge(PendingThenPaid(), "inv_9-attempt_2").status, ChargeStatus::kPending);
  EXPECT_EQ(LookUp("inv_9-attempt_2")->gateway_charge_id, pending.gateway_charge_id);
}

TEST_P(PaymentGatewayContractTest, ConcurrentChargesWithOneKeyChargeOnce) {
  constexpr int kThreads = 8;
  std::vector<Result<ChargeOutcome>> outcomes(kThreads);
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] { outcomes[i] = gateway().Charge(Request(kPays, "shared-key")); });
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

// ---------------------------------------------------------------------------------------------
// Refunds

TEST_P(PaymentGatewayContractTest, APaidChargeIsRefundedInFull) {
  const ChargeOutcome paid = MustCharge(kPays, "k", 2000);
  auto refund = gateway().Refund({paid.gateway_charge_id, 2000, "refund-1"});
  ASSERT_TRUE(refund) << refund.error().message;
  EXPECT_EQ(refund->status, RefundStatus::kSucceeded);
  EXPECT_FALSE(refund->gateway_refund_id.empty());
  EXPECT_EQ(refund->gateway_charge_id, paid.gateway_charge_id);
  EXPECT_EQ(refund->amount, 2000);
  EXPECT_EQ(refund->currency, "USD");
  EXPECT_FALSE(refund->replayed);
  auto more = gateway().Refund({paid.gateway_charge_id, 1, "refund-2"});
  ASSERT_FALSE(more);
  EXPECT_EQ(more.error().code, "refund_exceeds_charge");
}

TEST_P(PaymentGatewayContractTest, PartialRefundsAddUpToTheChargeAndNoMore) {
  const ChargeOutcome paid = MustCharge(kPays, "k", 2000);
  ASSERT_TRUE(gateway().Refund({paid.gateway_charge_id, 500, "refund-1"}));
  ASSERT_TRUE(gateway().Refund({paid.gateway_charge_id, 1000, "refund-2"}));

  auto too_much = gateway().Refund({paid.gateway_charge_id, 501, "refund-3"});
  ASSERT_FALSE(too_much);
  EXPECT_EQ(too_much.error().kind, ErrorKind::kFailedPrecondition);
  EXPECT_EQ(too_much.error().code, "refund_exceeds_charge");
  // The message says what is left: the sandbox's words, or Stripe's.
  EXPECT_THAT(too_much.error().message, HasSubstr(IsSandbox() ? "500 left" : "(500)"));
  // Refused, so not remembered: the key is free for what is left.
  auto rest = gateway().Refund({paid.gateway_charge_id, 500, "refund-3"});
  ASSERT_TRUE(rest) << rest.error().message;
  EXPECT_FALSE(rest->replayed);
}

TEST_P(PaymentGatewayContractTest, MoreThanChargedIsRefused) {
  const ChargeOutcome paid = MustCharge(kPays, "k", 2000);
  auto refund = gateway().Refund({paid.gateway_charge_id, 2001, "refund-1"});
  ASSERT_FALSE(refund);
  EXPECT_EQ(refund.error().kind, ErrorKind::kFailedPrecondition);
  EXPECT_EQ(refund.error().code, "refund_exceeds_charge");
  EXPECT_EQ(refund.error().param, "amount");
}

TEST_P(PaymentGatewayContractTest, SameRefundKeyReplaysTheFirstRefundAlsoAfterAReopening) {
  const ChargeOutcome paid = MustCharge(kPays, "k", 2000);
  const RefundOutcome first = gateway().Refund({paid.gateway_charge_id, 700, "refund-1"}).value();

  auto again = gateway().Refund({paid.gateway_charge_id, 700, "refund-1"});
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ(again->gateway_refund_id, first.gateway_refund_id);
  EXPECT_TRUE(again->replayed);
  Reopen();
  auto reopened = gateway().Refund({paid.gateway_charge_id, 700, "refund-1"});
  ASSERT_TRUE(reopened) << reopened.error().message;
  EXPECT_EQ(reopened->gateway_refund_id, first.gateway_refund_id);
  EXPECT_EQ(reopened->amount, 700);
  EXPECT_TRUE(reopened->replayed);
  // Replays refund nothing more: 1300 is still left.
  EXPECT_TRUE(gateway().Refund({paid.gateway_charge_id, 1300, "refund-2"}));

  auto other_amount = gateway().Refund({paid.gateway_charge_id, 100, "refund-1"});
  ASSERT_FALSE(other_amount);
  EXPECT_EQ(other_amount.error().code, "idempotency_key_reused");
}

TEST_P(PaymentGatewayContractTest, OnlyAPaidChargeIsRefunded) {
  const ChargeOutcome declined = MustCharge(kDeclines, "k1");
  auto refund = gateway().Refund({declined.gateway_charge_id, 100, "refund-1"});
  ASSERT_FALSE(refund);
  EXPECT_EQ(refund.error().kind, ErrorKind::kFailedPrecondition);
  EXPECT_EQ(refund.error().code, "charge_not_paid");

  const ChargeOutcome pending = MustCharge(PendingThenPaid(), "k2");
  EXPECT_EQ(gateway().Refund({pending.gateway_charge_id, 100, "refund-2"}).error().code,
            "charge_not_paid");
  ASSERT_EQ(LookUp("k2")->status, ChargeStatus::kPaid);
  EXPECT_TRUE(gateway().Refund({pending.gateway_charge_id, 100, "refund-2"}));

  auto unknown = gateway().Refund({"ch_nope", 100, "refund-3"});
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().kind, ErrorKind::kNotFound);
  EXPECT_EQ(unknown.error().code, "charge_not_found");
}

}  // namespace
}  // namespace recur::payment_gateway_contract_test
