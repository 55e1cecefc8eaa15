// The IdempotencyStore contract (idempotency_store.h), run on every implementation: SqliteStore
// on a temporary file (a crash is the store closed and opened again on the same file),
// PostgresStore on a temporary database of the test cluster (likewise), and
// MemoryIdempotencyStore with the MemoryAccountStore that records its changes. A change is a
// new payer stored through the backend's AccountStore.
#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "base/ids.h"
#include "store/idempotent_request_scope.h"
#include "store/memory/memory_account_store.h"
#include "store/memory/memory_idempotency_store.h"
#include "store/postgres/postgres_store.h"
#include "store/sqlite/sqlite_store.h"
#include "tests/support/new_payer.h"
#include "tests/support/store_backends.h"
#include "tests/support/temporary_database.h"
#include "tests/support/temporary_postgres.h"

namespace recur::idempotency_store_contract_test {
namespace {

using Outcome = IdempotencyClaim::Outcome;
using std::chrono::hours;
using std::chrono::minutes;

using Backend = StoreBackend;

const Instant kT0 = FromUnixMillis(1'700'000'000'000);
constexpr auto kRetention = hours(24);
constexpr auto kLease = hours(1);  // never lapses by itself during a test

class IdempotencyStoreContractTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override { Open(); }

  void Open() {
    if (GetParam() == Backend::kMemory) {
      memory_keys_ = std::make_unique<MemoryIdempotencyStore>();
      memory_accounts_ = std::make_unique<MemoryAccountStore>(
          MemoryAccountStoreOptions{.idempotency_keys = memory_keys_.get()});
      keys_ = memory_keys_.get();
      accounts_ = memory_accounts_.get();
      return;
    }
    if (GetParam() == Backend::kPostgres) {
      postgres_.reset();
      if (postgres_database_ == nullptr) {
        postgres_database_ = std::make_unique<TemporaryPostgresDatabase>();
      }
      ASSERT_TRUE(postgres_database_->ok()) << postgres_database_->error();
      auto opened = PostgresStore::Open(postgres_database_->settings(), ids_, kT0);
      ASSERT_TRUE(opened) << opened.error().message;
      postgres_ = std::move(*opened);
      keys_ = postgres_.get();
      accounts_ = postgres_.get();
      return;
    }
    sqlite_.reset();
    auto opened = SqliteStore::Open(database_.path(), ids_, kT0);
    ASSERT_TRUE(opened) << opened.error().message;
    sqlite_ = std::move(*opened);
    keys_ = sqlite_.get();
    accounts_ = sqlite_.get();
  }

  // What a crash leaves: for SQLite and PostgreSQL, what the database holds when opened again;
  // memory has no crash to survive, so it stays as it is. On PostgreSQL, a dead server's claims
  // are taken over once their leases lapse: the test lets that time pass at once.
  void Crash() {
    if (GetParam() == Backend::kMemory) return;
    Open();
    if (GetParam() == Backend::kPostgres) {
      auto connection = PgConnection::Open({postgres_database_->conninfo()});
      ASSERT_TRUE(connection) << connection.error().message;
      ASSERT_TRUE((*connection)
                      ->Script({"letting leases lapse"},
                               "UPDATE idempotency_keys SET lease_expires_at = 0"));
    }
  }

  IdempotencyClaim Claim(const std::string& key, const std::string& instance,
                         const std::string& hash = "hash", Instant now = kT0) {
    auto claim = keys_->ClaimIdempotencyKey(key, hash, instance, now, kRetention, kLease);
    EXPECT_TRUE(claim) << claim.error().message;
    return claim ? *claim : IdempotencyClaim{};
  }

  // Stores a new payer, as a keyed request's change would; returns its id.
  std::string NewPayer(const std::string& external_id) {
    const Account account = NewPayerAccount(ids_, external_id, kT0);
    Status saved = accounts_->SaveTransition(nullptr, account, {}, {});
    EXPECT_TRUE(saved) << saved.error().message;
    return account.payer.id;
  }

  TemporaryDatabase database_;
  SeededIdGenerator ids_{7};
  std::unique_ptr<SqliteStore> sqlite_;
  std::unique_ptr<TemporaryPostgresDatabase> postgres_database_;  // outlives postgres_
  std::unique_ptr<PostgresStore> postgres_;
  std::unique_ptr<MemoryIdempotencyStore> memory_keys_;
  std::unique_ptr<MemoryAccountStore> memory_accounts_;
  IdempotencyStore* keys_ = nullptr;
  AccountStore* accounts_ = nullptr;
};

TEST_P(IdempotencyStoreContractTest, AKeyIsClaimedOnceAndThenReplaysItsAnswer) {
  EXPECT_EQ(Claim("k", "run_1").outcome, Outcome::kClaimed);
  ASSERT_TRUE(keys_->CompleteIdempotencyKey("k", "run_1", 201, R"({"id":"x"})"));
  const IdempotencyClaim again = Claim("k", "run_1");
  EXPECT_EQ(again.outcome, Outcome::kReplay);
  EXPECT_EQ(again.status, 201);
  EXPECT_EQ(again.body, R"({"id":"x"})");
  // An answer outlives the instance that gave it.
  EXPECT_EQ(Claim("k", "run_2").outcome, Outcome::kReplay);
}

TEST_P(IdempotencyStoreContractTest, AKeyUsedForAnotherRequestIsAMismatch) {
  EXPECT_EQ(Claim("k", "run_1", "hash_a").outcome, Outcome::kClaimed);
  EXPECT_EQ(Claim("k", "run_1", "hash_b").outcome, Outcome::kMismatch);
  ASSERT_TRUE(keys_->CompleteIdempotencyKey("k", "run_1", 200, "{}"));
  EXPECT_EQ(Claim("k", "run_2", "hash_b").outcome, Outcome::kMismatch);
}

TEST_P(IdempotencyStoreContractTest, AClaimOfTheRunningInstanceIsInProgressHoweverOld) {
  EXPECT_EQ(Claim("k", "run_1").outcome, Outcome::kClaimed);
  EXPECT_EQ(Claim("k", "run_1", "hash", kT0 + hours(23)).outcome, Outcome::kInProgress);
}

TEST_P(IdempotencyStoreContractTest, AClaimOfAnEarlierInstanceThatChangedNothingIsClaimedAgain) {
  EXPECT_EQ(Claim("k", "run_1").outcome, Outcome::kClaimed);
  Crash();
  EXPECT_EQ(Claim("k", "run_2").outcome, Outcome::kClaimed);
  // Now it is the new instance's, and in progress for it.
  EXPECT_EQ(Claim("k", "run_2").outcome, Outcome::kInProgress);
}

TEST_P(IdempotencyStoreContractTest, AChangeMadeForAKeyIsRecordedWithTheChangeAndNeverRunAgain) {
  EXPECT_EQ(Claim("k", "run_1").outcome, Outcome::kClaimed);
  std::string payer;
  {
    IdempotentRequestScope scope("k", "run_1");
    payer = NewPayer("user_1");
    NewPayer("user_2");  // a second change: the record keeps the first
  }
  Crash();  // before the answer was kept
  const IdempotencyClaim retry = Claim("k", "run_2");
  EXPECT_EQ(retry.outcome, Outcome::kRecover);
  EXPECT_EQ(retry.made, payer);
  // The retry holds the key while it renders the answer, then keeps it.
  EXPECT_EQ(Claim("k", "run_2").outcome, Outcome::kInProgress);
  ASSERT_TRUE(keys_->CompleteIdempotencyKey("k", "run_2", 200, "{}"));
  EXPECT_EQ(Claim("k", "run_3").outcome, Outcome::kReplay);
}

TEST_P(IdempotencyStoreContractTest, AChangeOutsideTheKeysScopeIsNotRecorded) {
  EXPECT_EQ(Claim("k", "run_1").outcome, Outcome::kClaimed);
  NewPayer("user_1");  // no scope: another thread's work
  EXPECT_EQ(Claim("other_key", "run_1").outcome, Outcome::kClaimed);
  {
    IdempotentRequestScope scope("other_key", "run_1");
    NewPayer("user_2");
  }
  Crash();
  EXPECT_EQ(Claim("k", "run_2").outcome, Outcome::kClaimed);
}

TEST_P(IdempotencyStoreContractTest, AChangeTheStoreRefusesRecordsNothing) {
  NewPayer("user_1");
  EXPECT_EQ(Claim("k", "run_1").outcome, Outcome::kClaimed);
  {
    IdempotentRequestScope scope("k", "run_1");
    Account taken;
    taken.payer.id = ids_.NewId("cpayer");
    taken.payer.external_id = "user_1";  // taken: a conflict
    taken.payer.subscription_id = ids_.NewId("csub");
    EXPECT_FALSE(accounts_->SaveTransition(nullptr, taken, {}, {}));
  }
  Crash();
  EXPECT_EQ(Claim("k", "run_2").outcome, Outcome::kClaimed);
}

TEST_P(IdempotencyStoreContractTest, AReleasedKeyIsForgottenUnlessItMadeAChange) {
  EXPECT_EQ(Claim("plain", "run_1").outcome, Outcome::kClaimed);
  ASSERT_TRUE(keys_->ReleaseIdempotencyKey("plain", "run_1"));
  // Forgotten: even another request may use it now.
  EXPECT_EQ(Claim("plain", "run_1", "other_hash").outcome, Outcome::kClaimed);

  EXPECT_EQ(Claim("changed", "run_1").outcome, Outcome::kClaimed);
  std::string payer;
  {
    IdempotentRequestScope scope("changed", "run_1");
    payer = NewPayer("user_1");
  }
  ASSERT_TRUE(keys_->ReleaseIdempotencyKey("changed", "run_1"));
  // Claimed by no one: the same instance recovers it rather than waiting on itself.
  const IdempotencyClaim retry = Claim("changed", "run_1");
  EXPECT_EQ(retry.outcome, Outcome::kRecover);
  EXPECT_EQ(retry.made, payer);
}

TEST_P(IdempotencyStoreContractTest, AnInstanceWhoseClaimWasTakenOverCompletesAndReleasesNothing) {
  EXPECT_EQ(Claim("k", "run_1").outcome, Outcome::kClaimed);
  Crash();  // run_1 is gone (or, on a shared backend, its lease lapsed)
  EXPECT_EQ(Claim("k", "run_2").outcome, Outcome::kClaimed);
  ASSERT_TRUE(keys_->ReleaseIdempotencyKey("k", "run_1"));  // late: nothing released
  EXPECT_EQ(Claim("k", "run_2").outcome, Outcome::kInProgress);
  ASSERT_TRUE(keys_->CompleteIdempotencyKey("k", "run_1", 500, "late"));  // late: nothing kept
  EXPECT_EQ(Claim("k", "run_2").outcome, Outcome::kInProgress);
  ASSERT_TRUE(keys_->CompleteIdempotencyKey("k", "run_2", 201, "taken over"));
  ASSERT_TRUE(keys_->CompleteIdempotencyKey("k", "run_1", 500, "late"));
  const IdempotencyClaim answered = Claim("k", "run_3");
  EXPECT_EQ(answered.outcome, Outcome::kReplay);
  EXPECT_EQ(answered.status, 201);
  EXPECT_EQ(answered.body, "taken over");
}

TEST_P(IdempotencyStoreContractTest, AKeyExpiresARetentionAfterItsFirstClaim) {
  EXPECT_EQ(Claim("k", "run_1", "hash_a").outcome, Outcome::kClaimed);
  ASSERT_TRUE(keys_->CompleteIdempotencyKey("k", "run_1", 200, "{}"));
  EXPECT_EQ(Claim("k", "run_1", "hash_a", kT0 + kRetention - minutes(1)).outcome, Outcome::kReplay);
  EXPECT_EQ(Claim("k", "run_1", "hash_b", kT0 + kRetention).outcome, Outcome::kClaimed);
}

TEST_P(IdempotencyStoreContractTest, PurgeDeletesKeysClaimedBeforeATimeInBatches) {
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(Claim("old_" + std::to_string(i), "run_1").outcome, Outcome::kClaimed);
  }
  EXPECT_EQ(Claim("new", "run_1", "hash", kT0 + hours(1)).outcome, Outcome::kClaimed);
  ASSERT_TRUE(keys_->CompleteIdempotencyKey("new", "run_1", 200, "{}"));

  const Instant cutoff = kT0 + minutes(30);
  auto first = keys_->PurgeIdempotencyKeys(cutoff, 2);
  ASSERT_TRUE(first);
  EXPECT_EQ(*first, 2);
  auto second = keys_->PurgeIdempotencyKeys(cutoff, 2);
  ASSERT_TRUE(second);
  EXPECT_EQ(*second, 1);
  auto third = keys_->PurgeIdempotencyKeys(cutoff, 2);
  ASSERT_TRUE(third);
  EXPECT_EQ(*third, 0);
  // The key claimed after the cut-off is kept; a purged one is new again (another request may
  // use it).
  EXPECT_EQ(Claim("new", "run_1", "hash", kT0 + hours(2)).outcome, Outcome::kReplay);
  EXPECT_EQ(Claim("old_0", "run_1", "other", kT0 + hours(2)).outcome, Outcome::kClaimed);
}

INSTANTIATE_TEST_SUITE_P(Backends, IdempotencyStoreContractTest,
                         ::testing::Values(Backend::kSqlite, Backend::kMemory, Backend::kPostgres),
                         StoreBackendName);

}  // namespace
}  // namespace recur::idempotency_store_contract_test
