// The GatewayEventStore contract (gateway_event_store.h), run on every implementation: SqliteStore
// on a temporary file and PostgresStore on a temporary database of the test cluster. An event is
// unknown until recorded, recorded once however often it is recorded, and still known after the
// store is opened again. Inside a GatewayEventScope (gateway_event_scope.h), the first change
// records the event in its own transaction: a change refused records nothing, and a change
// applying an event recorded already is refused whole, also when two deliveries race.
#include <memory>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "base/ids.h"
#include "store/gateway_event_scope.h"
#include "store/postgres/postgres_store.h"
#include "store/sqlite/sqlite_store.h"
#include "tests/support/new_payer.h"
#include "tests/support/store_backends.h"
#include "tests/support/temporary_database.h"
#include "tests/support/temporary_postgres.h"

namespace recur::gateway_event_store_contract_test {
namespace {

using Backend = StoreBackend;

const Instant kT0 = FromUnixMillis(1'700'000'000'000);

class GatewayEventStoreContractTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    if (GetParam() == Backend::kPostgres) {
      postgres_database_ = std::make_unique<TemporaryPostgresDatabase>();
      ASSERT_TRUE(postgres_database_->ok()) << postgres_database_->error();
    }
    Reopen();
  }

  // Closes the store and opens it again on the same database.
  void Reopen() {
    events_ = nullptr;
    accounts_ = nullptr;
    sqlite_.reset();
    postgres_.reset();
    if (GetParam() == Backend::kPostgres) {
      auto opened = PostgresStore::Open(postgres_database_->settings(), ids_, kT0);
      ASSERT_TRUE(opened) << opened.error().message;
      postgres_ = std::move(*opened);
      events_ = postgres_.get();
      accounts_ = postgres_.get();
    } else {
      auto opened = SqliteStore::Open(database_.path(), ids_, kT0);
      ASSERT_TRUE(opened) << opened.error().message;
      sqlite_ = std::move(*opened);
      events_ = sqlite_.get();
      accounts_ = sqlite_.get();
    }
  }

  // Stores a new payer's account (a change of the kind an event's effect makes).
  Status StorePayer(const Account& account) {
    return accounts_->SaveTransition(nullptr, account, {}, {});
  }

  bool Stored(const Account& account) {
    auto loaded = accounts_->LoadAccount(account.payer.id);
    EXPECT_TRUE(loaded) << loaded.error().message;
    return loaded && loaded->has_value();
  }

  bool Applied(const std::string& id) {
    auto applied = events_->GatewayEventApplied(id);
    EXPECT_TRUE(applied) << applied.error().message;
    return applied && *applied;
  }

  void Record(const std::string& id, const std::string& type) {
    Status recorded = events_->RecordGatewayEvent(id, type, kT0);
    ASSERT_TRUE(recorded) << recorded.error().message;
  }

  TemporaryDatabase database_;
  SeededIdGenerator ids_{17};
  std::unique_ptr<SqliteStore> sqlite_;
  std::unique_ptr<TemporaryPostgresDatabase> postgres_database_;  // outlives postgres_
  std::unique_ptr<PostgresStore> postgres_;
  GatewayEventStore* events_ = nullptr;
  AccountStore* accounts_ = nullptr;
};

TEST_P(GatewayEventStoreContractTest, AnEventIsUnknownUntilRecorded) {
  EXPECT_FALSE(Applied("evt_1"));
  Record("evt_1", "payment_intent.succeeded");
  EXPECT_TRUE(Applied("evt_1"));
  EXPECT_FALSE(Applied("evt_2"));
  EXPECT_FALSE(Applied("EVT_1"));
}

TEST_P(GatewayEventStoreContractTest, RecordingAnEventAgainChangesNothing) {
  Record("evt_1", "payment_intent.succeeded");
  Record("evt_1", "payment_intent.succeeded");
  Record("evt_1", "customer.deleted");
  EXPECT_TRUE(Applied("evt_1"));
  EXPECT_FALSE(Applied("evt_2"));
}

TEST_P(GatewayEventStoreContractTest, RecordedEventsOutliveAReopen) {
  Record("evt_1", "setup_intent.succeeded");
  Reopen();
  EXPECT_TRUE(Applied("evt_1"));
  EXPECT_FALSE(Applied("evt_2"));
}

TEST_P(GatewayEventStoreContractTest, AChangeInAScopeRecordsItsEventInItsTransaction) {
  const Account payer = NewPayerAccount(ids_, "paid", kT0);
  GatewayEventScope scope("evt_1", "payment_intent.succeeded", kT0);
  ASSERT_TRUE(StorePayer(payer));
  EXPECT_TRUE(scope.recorded());
  EXPECT_TRUE(Applied("evt_1"));
  EXPECT_TRUE(Stored(payer));
}

TEST_P(GatewayEventStoreContractTest, OnlyTheFirstChangeOfAScopeRecordsTheEvent) {
  const Account first = NewPayerAccount(ids_, "first", kT0);
  const Account then = NewPayerAccount(ids_, "then", kT0);
  GatewayEventScope scope("evt_1", "payment_intent.succeeded", kT0);
  ASSERT_TRUE(StorePayer(first));
  // A charge the first change asked for commits later in the same scope: not refused.
  Status second = StorePayer(then);
  ASSERT_TRUE(second) << second.error().message;
  EXPECT_TRUE(Stored(then));
}

TEST_P(GatewayEventStoreContractTest, AChangeApplyingAnEventAppliedAlreadyIsRefusedWhole) {
  {
    GatewayEventScope first("evt_1", "setup_intent.succeeded", kT0);
    ASSERT_TRUE(StorePayer(NewPayerAccount(ids_, "first", kT0)));
  }
  const Account again = NewPayerAccount(ids_, "again", kT0);
  GatewayEventScope redelivered("evt_1", "setup_intent.succeeded", kT0);
  Status refused = StorePayer(again);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, "gateway_event_applied");
  EXPECT_EQ(refused.error().kind, ErrorKind::kAborted);
  EXPECT_FALSE(redelivered.recorded());
  EXPECT_FALSE(Stored(again));
}

TEST_P(GatewayEventStoreContractTest, OfTwoDeliveriesRacingOneAppliesTheEventAndOneIsRefused) {
  const Account first = NewPayerAccount(ids_, "first", kT0);
  const Account second = NewPayerAccount(ids_, "second", kT0);
  Status outcomes[2];
  auto deliver = [&](int which, const Account& effect) {
    GatewayEventScope scope("evt_1", "payment_intent.succeeded", kT0);
    outcomes[which] = StorePayer(effect);
  };
  std::thread one(deliver, 0, std::cref(first));
  std::thread other(deliver, 1, std::cref(second));
  one.join();
  other.join();
  ASSERT_NE(static_cast<bool>(outcomes[0]), static_cast<bool>(outcomes[1]));
  const int refused = outcomes[0] ? 1 : 0;
  EXPECT_EQ(outcomes[refused].error().code, "gateway_event_applied");
  EXPECT_NE(Stored(first), Stored(second));  // one effect only
  EXPECT_TRUE(Applied("evt_1"));
}

TEST_P(GatewayEventStoreContractTest, AChangeRefusedRecordsNoEvent) {
  const Account payer = NewPayerAccount(ids_, "twice", kT0);
  ASSERT_TRUE(StorePayer(payer));
  GatewayEventScope scope("evt_1", "payment_intent.succeeded", kT0);
  ASSERT_FALSE(StorePayer(payer));  // the payer exists: a conflict
  EXPECT_FALSE(scope.recorded());
  EXPECT_FALSE(Applied("evt_1"));
}

TEST_P(GatewayEventStoreContractTest, AChangeOutsideAScopeRecordsNoEvent) {
  ASSERT_TRUE(StorePayer(NewPayerAccount(ids_, "plain", kT0)));
  EXPECT_FALSE(Applied("evt_1"));
}

INSTANTIATE_TEST_SUITE_P(Backends, GatewayEventStoreContractTest,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgres), StoreBackendName);

}  // namespace
}  // namespace recur::gateway_event_store_contract_test
