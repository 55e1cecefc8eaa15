// The sandbox gateway's records in a SQLite file: a file of its own in WAL mode, kept across
// processes and across versions (a file from before refunds and pending charges still replays
// its charges). The PaymentGateway contract runs on this ledger in
// gateways/payment_gateway_contract_test.cc.
#include "store/sqlite/sqlite_sandbox_ledger.h"

#include <set>
#include <string>
#include <thread>
#include <vector>

#include <SQLiteCpp/SQLiteCpp.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "gateways/sandbox/sandbox_gateway.h"
#include "tests/support/temporary_database.h"

namespace recur::sqlite_sandbox_ledger_test {
namespace {

using ::testing::HasSubstr;

class SqliteSandboxLedgerTest : public ::testing::Test {
 protected:
  std::unique_ptr<SqliteSandboxLedger> Open() {
    auto ledger = SqliteSandboxLedger::Open(database_.path());
    EXPECT_TRUE(ledger) << ledger.error().message;
    return ledger ? std::move(*ledger) : nullptr;
  }

  static ChargeRequest Request(const std::string& customer, std::string token, std::string key) {
    return {customer,       std::move(token), 2000,       "USD",
            std::move(key), "Pro, monthly",   "cpayer_1", "cpay_1"};
  }

  TemporaryDatabase database_;
};

TEST_F(SqliteSandboxLedgerTest, KeepsItsOwnTablesInWalMode) {
  {
    auto ledger = Open();
    ASSERT_NE(ledger, nullptr);
    SandboxGateway gateway(*ledger);
    const std::string customer = gateway.EnsureCustomer({"cpayer_1", "", ""}).value();
    ASSERT_TRUE(gateway.Charge(Request(customer, "pm_card_chargeDeclined", "k")));
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
  for (const char* table : {"sandbox_charge_requests", "sandbox_charge_decisions",
                            "sandbox_refunds", "sandbox_customers"}) {
    EXPECT_TRUE(db.tableExists(table)) << table;
  }
}

TEST_F(SqliteSandboxLedgerTest, AFileFromBeforeStillReplaysItsCharges) {
  {
    SQLite::Database db(database_.path(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    db.exec(
        "CREATE TABLE sandbox_charges (idempotency_key TEXT PRIMARY KEY, "
        "request_fingerprint TEXT, status TEXT, charge_id TEXT, decline_code TEXT, "
        "decline_message TEXT)");
    db.exec(
        "INSERT INTO sandbox_charges VALUES ('inv_1', "
        "'amount=2000;currency=USD;token=pm_card_visa', 'paid', 'ch_sandbox_old', '', '')");
  }
  auto ledger = Open();
  ASSERT_NE(ledger, nullptr);
  SandboxGateway gateway(*ledger);
  const std::string customer = gateway.EnsureCustomer({"cpayer_1", "", ""}).value();

  auto replayed = gateway.Charge(Request(customer, "pm_card_visa", "inv_1"));
  ASSERT_TRUE(replayed) << replayed.error().message;
  EXPECT_EQ(replayed->status, ChargeStatus::kPaid);
  EXPECT_EQ(replayed->gateway_charge_id, "ch_sandbox_old");
  EXPECT_TRUE(replayed->replayed);
  auto looked_up = gateway.LookUpCharge({customer, "inv_1", ""});
  ASSERT_TRUE(looked_up) << looked_up.error().message;
  EXPECT_EQ(looked_up->gateway_charge_id, "ch_sandbox_old");
}

TEST_F(SqliteSandboxLedgerTest, TwoGatewaysOnOneFileChargeAKeyOnce) {
  auto first = Open();
  auto second = Open();
  ASSERT_TRUE(first && second);
  SandboxGateway a(*first);
  SandboxGateway b(*second);
  const std::string customer = a.EnsureCustomer({"cpayer_1", "", ""}).value();
  ASSERT_EQ(b.EnsureCustomer({"cpayer_1", "", ""}).value(), customer);
  std::vector<Result<ChargeOutcome>> outcomes(8);
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i) {
    SandboxGateway& gateway = i % 2 == 0 ? a : b;
    threads.emplace_back([&, i] {
      outcomes[i] = gateway.Charge(Request(customer, "pm_card_amex", "cross-process"));
    });
  }
  for (std::thread& thread : threads) thread.join();
  std::set<std::string> ids;
  for (const auto& outcome : outcomes) {
    ASSERT_TRUE(outcome) << outcome.error().message;
    ids.insert(outcome->gateway_charge_id);
  }
  EXPECT_EQ(ids.size(), 1u);
}

TEST(SqliteSandboxLedgerOpenTest, AnUnopenableFileIsUnavailable) {
  auto ledger = SqliteSandboxLedger::Open("/nonexistent-directory/recur/sandbox.db");
  ASSERT_FALSE(ledger);
  EXPECT_EQ(ledger.error().kind, ErrorKind::kUnavailable);
  EXPECT_EQ(ledger.error().code, "storage_error");
}

}  // namespace
}  // namespace recur::sqlite_sandbox_ledger_test
