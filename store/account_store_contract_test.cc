// The AccountStore contract (account_store.h), run on every implementation: SqliteStore on a
// temporary file, MemoryAccountStore, CachingAccountStore in front of SqliteStore, and
// PostgresStore on a temporary database of the test cluster (tests/support/temporary_postgres.h);
// its webhook outbox half on those that keep webhook endpoints. Accounts come from the pure
// lifecycle over the shipped plans (plans/) and are stored as the billing service stores them; the
// last test runs the real billing service and scheduler over each store and compares what they did.

#include <algorithm>
#include <atomic>
#include <memory>
#include <ostream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "base/ids.h"
#include "domain/subscriptions/card_changes.h"
#include "domain/subscriptions/lifecycle.h"
#include "gateways/sandbox/memory_sandbox_ledger.h"
#include "gateways/sandbox/sandbox_gateway.h"
#include "services/billing/billing_service.h"
#include "services/catalog/catalog_service.h"
#include "services/scheduler/scheduler.h"
#include "store/account_store.h"
#include "store/cached/caching_account_store.h"
#include "store/memory/memory_account_store.h"
#include "store/postgres/postgres_store.h"
#include "store/sqlite/sqlite_store.h"
#include "store/stored_account.h"
#include "tests/support/temporary_database.h"
#include "tests/support/temporary_postgres.h"

namespace recur::account_store_contract_test {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::SizeIs;
using ::testing::UnorderedElementsAre;

constexpr auto kDay = std::chrono::hours(24);
const std::string kPlans = std::string(RECUR_SOURCE_DIR) + "/plans";

enum class StoreKind { kSqlite, kMemory, kCachedSqlite, kPostgres };

std::string StoreName(const ::testing::TestParamInfo<StoreKind>& info) {
  switch (info.param) {
    case StoreKind::kSqlite:
      return "Sqlite";
    case StoreKind::kMemory:
      return "Memory";
    case StoreKind::kCachedSqlite:
      return "CachedSqlite";
    case StoreKind::kPostgres:
      return "Postgres";
  }
  return "";
}

// Error kind and code, which is what callers act on.
std::string KindAndCode(const Error& error) {
  return std::to_string(static_cast<int>(error.kind)) + " " + error.code;
}
std::string Outcome(const Status& status) {
  return status ? std::string("saved") : KindAndCode(status.error());
}
const std::string kConflict =
    std::to_string(static_cast<int>(ErrorKind::kAlreadyExists)) + " conflict";
const std::string kConcurrentChange =
    std::to_string(static_cast<int>(ErrorKind::kAborted)) + " concurrent_change";
const std::string kWorkAlreadyDone =
    std::to_string(static_cast<int>(ErrorKind::kAborted)) + " work_already_done";

std::vector<std::string> EventIds(const std::vector<StoredEvent>& events) {
  std::vector<std::string> ids;
  for (const StoredEvent& event : events) ids.push_back(event.id);
  return ids;
}

std::vector<std::string> AttemptIds(const std::vector<PaymentAttempt>& attempts) {
  std::vector<std::string> ids;
  for (const PaymentAttempt& attempt : attempts) ids.push_back(attempt.id);
  return ids;
}

std::vector<std::int64_t> WorkIds(const std::vector<DueWork>& work) {
  std::vector<std::int64_t> ids;
  for (const DueWork& piece : work) ids.push_back(piece.id);
  return ids;
}

// A piece of due work no store handed out: only its id.
DueWork NeverHandedOut(std::int64_t id) {
  DueWork piece;
  piece.id = id;
  return piece;
}

// The store under test, and beside it a SqliteStore that holds the shipped catalog and the
// test clocks (SqliteStore's foreign keys want both). For kSqlite the two are one store;
// PostgresStore holds its own catalog and clocks.
class AccountStoreContractTest : public ::testing::TestWithParam<StoreKind> {
 protected:
  void SetUp() override {
    auto sqlite = SqliteStore::Open(database_.path(), ids_, t0_);
    ASSERT_TRUE(sqlite) << sqlite.error().message;
    sqlite_ = std::move(*sqlite);
    CatalogStore* catalog_store = sqlite_.get();
    TestClockStore* test_clocks = sqlite_.get();
    if (GetParam() == StoreKind::kPostgres) {
      postgres_database_ = std::make_unique<TemporaryPostgresDatabase>();
      ASSERT_TRUE(postgres_database_->ok()) << postgres_database_->error();
      auto postgres = PostgresStore::Open(postgres_database_->settings(), ids_, t0_);
      ASSERT_TRUE(postgres) << postgres.error().message;
      postgres_ = std::move(*postgres);
      catalog_store = postgres_.get();
      test_clocks = postgres_.get();
    }
    catalog_service_ = std::make_unique<CatalogService>(kPlans, *catalog_store, clock_);
    auto reloaded = catalog_service_->Reload();
    ASSERT_TRUE(reloaded && reloaded->ok());
    catalog_ = catalog_service_->Current();
    for (const char* clock : {"clock_a", "clock_b"}) {
      ASSERT_TRUE(test_clocks->CreateTestClock({clock, clock, t0_, TestClockStatus::kReady, t0_}));
    }
    store_ = sqlite_.get();
    if (GetParam() == StoreKind::kPostgres) {
      store_ = postgres_.get();
    } else if (GetParam() == StoreKind::kMemory) {
      memory_ = std::make_unique<MemoryAccountStore>();
      store_ = memory_.get();
    } else if (GetParam() == StoreKind::kCachedSqlite) {
      cached_ = std::make_unique<CachingAccountStore>(*sqlite_, 100);
      store_ = cached_.get();
    }
  }

  AccountStore& store() { return *store_; }
  // The store that reads for real: under the cache, the SQLite store it wraps.
  AccountStore& backing_store() {
    return GetParam() == StoreKind::kCachedSqlite ? *sqlite_ : *store_;
  }
  LifecycleContext Context(Instant now) { return {*catalog_, ids_, options_, now}; }

  StoredEvent Event(const std::string& payer_id, std::string type, Instant at) {
    const std::string id = ids_.NewId("evt");
    return {id, std::move(type), payer_id, at, R"({"id":")" + id + R"("})"};
  }

  // Stores `after` as the change from `before` with `events` and `scheduled`, and on success
  // gives `after` the version the store gave the payer.
  Status Save(const Account* before, Account& after, const std::vector<StoredEvent>& events,
              const std::vector<DueWork>& scheduled = {},
              const std::vector<DueWork>& completes_work = {}) {
    auto saved = store().SaveTransition(before, after, events, scheduled, completes_work);
    if (saved) {
      // What the cache keeps in place of a read must be what the store reads back.
      if (const std::optional<Account> predicted = AccountAsStored(before, after)) {
        auto loaded = backing_store().LoadAccount(after.payer.id);
        EXPECT_TRUE(loaded && *loaded && **loaded == *predicted)
            << "payer " << after.payer.id << " loads other than AccountAsStored predicts";
      }
      after.payer.version = before == nullptr ? 1 : before->payer.version + 1;
      for (const StoredEvent& event : events) saved_events_.push_back(event);
    }
    return saved;
  }

  // As the billing service stores a transition: its events with new ids, its work.
  Status SaveChange(const Account* before, Account& after, const Transition& transition) {
    std::vector<StoredEvent> events;
    for (const BillingEvent& event : transition.events) {
      events.push_back(
          Event(after.payer.id, std::string(EventTypeName(event.type)), event.occurred_at));
    }
    return Save(before, after, events, transition.scheduled);
  }

  // A payer on its type's free plan, stored; not yet stored with `store_it` false.
  Account NewPayer(const std::string& external_id, PayerType type = PayerType::kUser,
                   std::optional<std::string> test_clock = std::nullopt, bool store_it = true,
                   std::string image_url = "") {
    Account account;
    account.payer.id = ids_.NewId("cpayer");
    account.payer.external_id = external_id;
    account.payer.type = type;
    account.payer.email = external_id + "@example.com";
    account.payer.name = external_id;
    account.payer.image_url = std::move(image_url);
    account.payer.test_clock_id = std::move(test_clock);
    account.payer.subscription_id = ids_.NewId("csub");
    account.payer.created_at = t0_;
    auto started = StartPayer(account, Context(t0_));
    EXPECT_TRUE(started) << started.error().message;
    if (store_it) {
      auto saved = SaveChange(nullptr, account, *started);
      EXPECT_TRUE(saved) << saved.error().message;
    }
    return account;
  }

  Account Load(const std::string& payer_id) {
    auto loaded = store().LoadAccount(payer_id);
    if (!loaded || !*loaded) {
      ADD_FAILURE() << "payer " << payer_id << " does not load";
      return {};
    }
    return std::move(**loaded);
  }

  // Loads the payer, applies `change` at `now` and stores the result; returns the account
  // after the change (with every attempt the change touched, as the lifecycle leaves it).
  template <typename ChangeFn>
  Account Change(const std::string& payer_id, Instant now, ChangeFn&& change) {
    const Account before = Load(payer_id);
    Account after = before;
    auto transition = change(after, Context(now));
    if (!transition) {
      ADD_FAILURE() << transition.error().message;
      return after;
    }
    auto saved = SaveChange(&before, after, *transition);
    EXPECT_TRUE(saved) << saved.error().message;
    return after;
  }

  Account AddCard(const std::string& payer_id, Instant now) {
    return Change(payer_id, now, [&](Account& account, const LifecycleContext& context) {
      return AddPaymentMethod(
          account, {ids_.NewId("cpm"), "pm_card_visa", "visa", "4242", 12, 2034, context.now}, true,
          context);
    });
  }

  Account SubscribeTo(const std::string& payer_id, const std::string& plan, Instant now) {
    return Change(payer_id, now, [&](Account& account, const LifecycleContext& context) {
      return Subscribe(account, {plan}, context);
    });
  }

  // Due work on the payer's current item, at `due_at`.
  static DueWork Work(const Account& account, Instant due_at) {
    DueWork work;
    work.kind = DueKind::kPeriodEnd;
    work.payer_id = account.payer.id;
    work.item_id = account.CurrentItem()->id;
    work.due_at = due_at;
    work.reference = due_at;
    return work;
  }

  // Stores `work` for the payer in a transition that changes nothing else.
  void Schedule(const std::string& payer_id, const std::vector<DueWork>& work) {
    const Account before = Load(payer_id);
    Account after = before;
    auto saved = Save(&before, after, {}, work);
    ASSERT_TRUE(saved) << saved.error().message;
  }

  // Every page of ListEvents, followed with starting_after.
  std::vector<StoredEvent> AllEvents(const std::string& payer_id, const std::string& type,
                                     int limit) {
    std::vector<StoredEvent> all;
    ListOptions options{limit, ""};
    while (true) {
      auto page = store().ListEvents(payer_id, type, options);
      if (!page) {
        ADD_FAILURE() << page.error().message;
        return all;
      }
      EXPECT_LE(static_cast<int>(page->data.size()), limit);
      all.insert(all.end(), page->data.begin(), page->data.end());
      if (!page->has_more) return all;
      EXPECT_FALSE(page->data.empty());
      if (page->data.empty()) return all;
      options.starting_after = page->data.back().id;
    }
  }

  // The ids of the events saved so far that pass the filters, newest first.
  std::vector<std::string> SavedEventIds(const std::string& payer_id, const std::string& type) {
    std::vector<std::string> ids;
    for (auto it = saved_events_.rbegin(); it != saved_events_.rend(); ++it) {
      if ((payer_id.empty() || it->payer_id == payer_id) && (type.empty() || it->type == type)) {
        ids.push_back(it->id);
      }
    }
    return ids;
  }

  TemporaryDatabase database_;
  SeededIdGenerator ids_{7};
  const Instant t0_ = FromUnixMillis(1'735'689'600'000);  // 2025-01-01
  ManualClock clock_{t0_};
  LifecycleOptions options_;
  std::unique_ptr<SqliteStore> sqlite_;
  std::unique_ptr<TemporaryPostgresDatabase> postgres_database_;  // outlives postgres_
  std::unique_ptr<PostgresStore> postgres_;
  std::unique_ptr<CatalogService> catalog_service_;
  std::shared_ptr<const Catalog> catalog_;
  std::unique_ptr<MemoryAccountStore> memory_;
  std::unique_ptr<CachingAccountStore> cached_;
  AccountStore* store_ = nullptr;
  std::vector<StoredEvent> saved_events_;  // in the order stored
};

INSTANTIATE_TEST_SUITE_P(Stores, AccountStoreContractTest,
                         ::testing::Values(StoreKind::kSqlite, StoreKind::kMemory,
                                           StoreKind::kCachedSqlite, StoreKind::kPostgres),
                         StoreName);

TEST_P(AccountStoreContractTest, APayersImageUrlLoadsBackAndNoneIsEmpty) {
  const Account with_image = NewPayer("user_1", PayerType::kUser, std::nullopt, true,
                                      "https://img.example.com/u/ada.png?size=64");
  const Account without = NewPayer("user_2");
  EXPECT_EQ(Load(with_image.payer.id).payer.image_url, "https://img.example.com/u/ada.png?size=64");
  EXPECT_EQ(Load(without.payer.id).payer.image_url, "");
  // Kept through a later change of the payer.
  AddCard(with_image.payer.id, t0_ + std::chrono::hours(1));
  EXPECT_EQ(Load(with_image.payer.id).payer.image_url, "https://img.example.com/u/ada.png?size=64");
}

TEST_P(AccountStoreContractTest, ANewPayerLoadsBackAsStored) {
  Account account = NewPayer("user_1");
  EXPECT_EQ(account.payer.version, 1);
  auto loaded = store().LoadAccount(account.payer.id);
  ASSERT_TRUE(loaded);
  ASSERT_TRUE(*loaded);
  EXPECT_EQ(loaded->value().payer, account.payer);
  EXPECT_EQ(loaded->value().items, account.items);
  EXPECT_THAT(loaded->value().payment_methods, IsEmpty());
  EXPECT_THAT(loaded->value().attempts, IsEmpty());

  // A card and a Pro trial: the free item ends, the trial item follows it (oldest first).
  AddCard(account.payer.id, t0_ + std::chrono::hours(1));
  const Account trial = SubscribeTo(account.payer.id, "pro", t0_ + std::chrono::hours(2));
  ASSERT_THAT(trial.items, SizeIs(2));
  const Account reloaded = Load(account.payer.id);
  ASSERT_THAT(reloaded.items, SizeIs(2));
  EXPECT_EQ(reloaded.payer, trial.payer);
  EXPECT_EQ(reloaded.payer.version, 3);
  EXPECT_EQ(reloaded.payment_methods, trial.payment_methods);
  EXPECT_EQ(reloaded.items, trial.items);
  EXPECT_EQ(reloaded.items[0].plan_slug, "free");
  EXPECT_EQ(reloaded.items[1].plan_slug, "pro");
  EXPECT_TRUE(reloaded.items[1].is_free_trial);

  EXPECT_EQ(store().LoadAccount("cpayer_nobody").value(), std::nullopt);
  EXPECT_EQ(store().FindPayerId(PayerType::kUser, "user_1").value(), account.payer.id);
  EXPECT_EQ(store().FindPayerId(PayerType::kOrg, "user_1").value(), std::nullopt);
  EXPECT_EQ(store().FindPayerId(PayerType::kUser, "user_2").value(), std::nullopt);
  EXPECT_EQ(store().FindPayerIdOfItem(reloaded.items[1].id).value(), account.payer.id);
  EXPECT_EQ(store().FindPayerIdOfItem("csub_item_none").value(), std::nullopt);
}

TEST_P(AccountStoreContractTest, AnUpdateKeepsWhatAPayerWasCreatedWith) {
  Account account = NewPayer("user_1");
  const Account before = Load(account.payer.id);
  Account after = before;
  after.payer.email = "new@example.com";
  after.payer.external_id = "user_renamed";  // fixed at creation
  after.payer.version = 42;                  // the store counts versions itself
  ASSERT_TRUE(Save(&before, after, {}));
  const Account loaded = Load(account.payer.id);
  EXPECT_EQ(loaded.payer.email, "new@example.com");
  EXPECT_EQ(loaded.payer.external_id, "user_1");
  EXPECT_EQ(loaded.payer.version, 2);
  EXPECT_EQ(store().FindPayerId(PayerType::kUser, "user_renamed").value(), std::nullopt);
}

TEST_P(AccountStoreContractTest, AnAccountHoldsOnlyItsPendingAttempts) {
  const std::string payer = NewPayer("user_1").payer.id;
  AddCard(payer, t0_);
  Account checkout = SubscribeTo(payer, "business", t0_ + std::chrono::hours(1));
  ASSERT_THAT(checkout.attempts, SizeIs(1));
  const PaymentAttempt pending = checkout.attempts[0];
  EXPECT_EQ(pending.status, AttemptStatus::kPending);
  EXPECT_EQ(Load(payer).attempts, checkout.attempts);

  const Account paid = Change(
      payer, t0_ + std::chrono::hours(1), [&](Account& account, const LifecycleContext& context) {
        return ApplyChargeOutcome(account, pending.id, {ChargeStatus::kPaid, "ch_1"}, context);
      });
  ASSERT_THAT(paid.attempts, SizeIs(1));
  EXPECT_EQ(paid.attempts[0].status, AttemptStatus::kPaid);
  const Account loaded = Load(payer);
  EXPECT_THAT(loaded.attempts, IsEmpty());  // settled: no transition touches it any more
  EXPECT_EQ(loaded.items, paid.items);
  EXPECT_EQ(loaded.payer, paid.payer);
  auto listed = store().ListPaymentAttempts(payer, {});
  ASSERT_TRUE(listed);
  EXPECT_THAT(listed->data, ElementsAre(paid.attempts[0]));
  EXPECT_FALSE(listed->has_more);
}

// Statements: the attempts carrying one statement id, settled ones included, newest cycle
// first; an attempt without one is on none.
TEST_P(AccountStoreContractTest, StatementsGroupAPayersAttemptsByStatementId) {
  const Account stored = NewPayer("user_1");
  const std::string payer = stored.payer.id;
  const std::string other = NewPayer("user_2").payer.id;
  int made = 0;
  auto attempt = [&](Instant cycle, AttemptStatus status, std::string statement_id) {
    PaymentAttempt attempt;
    attempt.id = "cpay_" + std::to_string(++made);
    attempt.item_id = stored.items[0].id;
    attempt.status = status;
    attempt.amount = 2000;
    attempt.currency = "USD";
    attempt.payment_method_id = "cpm_none";
    attempt.period_start = cycle;
    attempt.period_end = cycle + 30 * kDay;
    attempt.idempotency_key = "key_" + std::to_string(made);
    attempt.statement_id = std::move(statement_id);
    attempt.created_at = attempt.updated_at = cycle + std::chrono::hours(made);
    return attempt;
  };
  const Instant first = t0_, second = t0_ + 30 * kDay, third = t0_ + 60 * kDay;
  Account after = stored;
  after.attempts = {attempt(first, AttemptStatus::kPaid, "stmt_a"),
                    attempt(second, AttemptStatus::kFailed, "stmt_b"),
                    attempt(first, AttemptStatus::kFailed, ""),  // on no statement
                    attempt(second, AttemptStatus::kPaid, "stmt_b"),
                    attempt(third, AttemptStatus::kPending, "stmt_c")};
  ASSERT_TRUE(Save(&stored, after, {}));
  const std::vector<PaymentAttempt>& made_attempts = after.attempts;
  EXPECT_EQ(Load(payer).attempts, std::vector<PaymentAttempt>{made_attempts[4]})
      << "the statement id is stored with the attempt";

  auto all = store().ListStatements(payer, {});
  ASSERT_TRUE(all) << all.error().message;
  EXPECT_FALSE(all->has_more);
  EXPECT_THAT(all->data,
              ElementsAre(StoredStatement{"stmt_c", payer, {made_attempts[4]}},
                          StoredStatement{"stmt_b", payer, {made_attempts[1], made_attempts[3]}},
                          StoredStatement{"stmt_a", payer, {made_attempts[0]}}));

  auto page = store().ListStatements(payer, {1, ""});
  ASSERT_TRUE(page);
  EXPECT_TRUE(page->has_more);
  ASSERT_THAT(page->data, SizeIs(1));
  EXPECT_EQ(page->data[0].id, "stmt_c");
  page = store().ListStatements(payer, {1, "stmt_c"});
  ASSERT_TRUE(page);
  EXPECT_TRUE(page->has_more);
  ASSERT_THAT(page->data, SizeIs(1));
  EXPECT_EQ(page->data[0].id, "stmt_b");
  page = store().ListStatements(payer, {5, "stmt_b"});
  ASSERT_TRUE(page);
  EXPECT_FALSE(page->has_more);
  ASSERT_THAT(page->data, SizeIs(1));
  EXPECT_EQ(page->data[0].id, "stmt_a");
  EXPECT_EQ(store().ListStatements(payer, {5, "stmt_none"}).error().code, "invalid_parameter");
  EXPECT_FALSE(store().ListStatements(other, {5, "stmt_a"})) << "another payer's statement";
  auto none = store().ListStatements(other, {});
  ASSERT_TRUE(none);
  EXPECT_THAT(none->data, IsEmpty());

  auto loaded = store().LoadStatement("stmt_b");
  ASSERT_TRUE(loaded);
  ASSERT_TRUE(*loaded);
  EXPECT_EQ(**loaded, (StoredStatement{"stmt_b", payer, {made_attempts[1], made_attempts[3]}}));
  auto missing = store().LoadStatement("stmt_none");
  ASSERT_TRUE(missing);
  EXPECT_FALSE(*missing);
  auto unnamed = store().LoadStatement("");
  ASSERT_TRUE(unnamed);
  EXPECT_FALSE(*unnamed) << "an attempt without a statement is on none";
}

TEST_P(AccountStoreContractTest, APaymentAttemptLoadsByItsIdWithItsPayer) {
  const Account stored = NewPayer("user_1");
  NewPayer("user_2");
  PaymentAttempt paid;
  paid.id = "cpay_paid";
  paid.item_id = stored.items[0].id;
  paid.status = AttemptStatus::kPaid;
  paid.amount = 2000;
  paid.currency = "USD";
  paid.payment_method_id = "cpm_none";
  paid.period_start = t0_;
  paid.period_end = t0_ + 30 * kDay;
  paid.idempotency_key = "key_paid";
  paid.statement_id = "stmt_a";
  paid.gateway_charge_id = "ch_1";
  paid.created_at = paid.updated_at = t0_;
  paid.paid_at = t0_;
  Account after = stored;
  after.attempts = {paid};
  ASSERT_TRUE(Save(&stored, after, {}));

  auto loaded = store().LoadPaymentAttempt("cpay_paid");
  ASSERT_TRUE(loaded) << loaded.error().message;
  ASSERT_TRUE(*loaded);
  EXPECT_EQ(**loaded, (AttemptOfPayer{stored.payer.id, paid})) << "settled ones too";
  auto missing = store().LoadPaymentAttempt("cpay_none");
  ASSERT_TRUE(missing);
  EXPECT_FALSE(*missing);
}

// A payer on a frozen test clock: every item and attempt is created at one instant. The store
// puts what a change adds after what it holds, as AccountAsStored predicts (Save checks it).
TEST_P(AccountStoreContractTest, ChangesAtOneInstantLoadInTheOrderTheyWereMade) {
  const std::string payer = NewPayer("user_1").payer.id;
  AddCard(payer, t0_);
  const Account before_trial = Load(payer);
  const Account trial = SubscribeTo(payer, "pro", t0_);
  EXPECT_TRUE(AccountAsStored(&before_trial, trial)) << "a new item after the free one";
  const Account before_switch = Load(payer);
  const Account switched = SubscribeTo(payer, "business", t0_);
  EXPECT_TRUE(AccountAsStored(&before_switch, switched)) << "a new item and a new attempt";

  const Account loaded = Load(payer);
  ASSERT_THAT(loaded.items, SizeIs(3));
  EXPECT_EQ(loaded.items[0].plan_slug, "free");
  EXPECT_EQ(loaded.items[1].plan_slug, "pro");
  EXPECT_EQ(loaded.items[2].plan_slug, "business");
}

TEST_P(AccountStoreContractTest, AConcurrentWriterLosesAndWritesNothing) {
  const std::string payer = NewPayer("user_1").payer.id;
  const Account before = Load(payer);
  Account first = before, second = before;
  ASSERT_TRUE(AddPaymentMethod(first, {"cpm_first", "pm_card_visa", "visa", "4242", 12, 2034, t0_},
                               true, Context(t0_)));
  ASSERT_TRUE(AddPaymentMethod(
      second, {"cpm_second", "pm_card_mastercard", "mastercard", "4444", 12, 2034, t0_}, true,
      Context(t0_)));
  ASSERT_TRUE(Save(&before, first, {Event(payer, "test.first", t0_)}));
  const StoredEvent lost = Event(payer, "test.second", t0_);
  EXPECT_EQ(Outcome(Save(&before, second, {lost}, {Work(second, t0_)})), kConcurrentChange);

  const Account loaded = Load(payer);
  EXPECT_EQ(loaded.payer.version, 2);
  EXPECT_EQ(loaded.payer.default_payment_method_id, "cpm_first");
  EXPECT_EQ(loaded.payment_methods, first.payment_methods);
  EXPECT_THAT(store().DueWorkUntil(t0_ + kDay, std::nullopt, 10).value(), IsEmpty());
  EXPECT_THAT(EventIds(AllEvents(payer, "test.second", 10)), IsEmpty());

  // Changing a payer that was never stored is the same conflict.
  Account stranger = NewPayer("user_2", PayerType::kUser, std::nullopt, /*store_it=*/false);
  Account stranger_after = stranger;
  stranger_after.payer.name = "x";
  EXPECT_EQ(Outcome(Save(&stranger, stranger_after, {})), kConcurrentChange);
}

TEST_P(AccountStoreContractTest, KeepsTheGatewayCustomerAndForgetsRemovedCards) {
  const std::string payer = NewPayer("user_1").payer.id;
  Account before = Load(payer);
  Account after = before;
  ASSERT_TRUE(AddPaymentMethod(after, {"cpm_first", "pm_card_visa", "visa", "4242", 12, 2034, t0_},
                               true, Context(t0_)));
  ASSERT_TRUE(AddPaymentMethod(
      after, {"cpm_second", "pm_card_mastercard", "mastercard", "4444", 12, 2034, t0_}, false,
      Context(t0_)));
  ASSERT_TRUE(KeepGatewayCustomer(after, "cus_kept"));
  ASSERT_TRUE(Save(&before, after, {}));
  before = Load(payer);
  EXPECT_EQ(before.payer.gateway_customer_id, "cus_kept");
  ASSERT_THAT(before.payment_methods, SizeIs(2));

  after = before;
  ASSERT_TRUE(SetDefaultPaymentMethod(after, "cpm_second"));
  ASSERT_TRUE(RemovePaymentMethod(after, "cpm_first"));
  ASSERT_TRUE(KeepGatewayCustomer(after, ""));
  ASSERT_TRUE(Save(&before, after, {}));
  const Account loaded = Load(payer);
  EXPECT_FALSE(loaded.payer.gateway_customer_id);
  EXPECT_EQ(loaded.payer.default_payment_method_id, "cpm_second");
  ASSERT_THAT(loaded.payment_methods, SizeIs(1));
  EXPECT_EQ(loaded.payment_methods[0].id, "cpm_second");
}

TEST_P(AccountStoreContractTest, ATakenExternalIdIsAConflictAndWritesNothing) {
  const std::string first = NewPayer("user_1").payer.id;
  Account twin = NewPayer("user_1", PayerType::kUser, std::nullopt, /*store_it=*/false);
  EXPECT_EQ(
      Outcome(Save(nullptr, twin, {Event(twin.payer.id, "test.twin", t0_)}, {Work(twin, t0_)})),
      kConflict);
  EXPECT_EQ(store().FindPayerId(PayerType::kUser, "user_1").value(), first);
  EXPECT_EQ(store().LoadAccount(twin.payer.id).value(), std::nullopt);
  EXPECT_EQ(store().FindPayerIdOfItem(twin.items[0].id).value(), std::nullopt);
  EXPECT_THAT(EventIds(AllEvents(twin.payer.id, "", 10)), IsEmpty());
  EXPECT_THAT(store().DueWorkUntil(t0_, std::nullopt, 10).value(), IsEmpty());

  // The same external id is free for the other payer type.
  const std::string org = NewPayer("user_1", PayerType::kOrg).payer.id;
  EXPECT_EQ(store().FindPayerId(PayerType::kOrg, "user_1").value(), org);

  // A payer id or subscription id taken is a conflict too.
  Account same_id = NewPayer("user_3", PayerType::kUser, std::nullopt, false);
  same_id.payer.id = first;
  EXPECT_EQ(Outcome(Save(nullptr, same_id, {})), kConflict);
  Account same_subscription = NewPayer("user_4", PayerType::kUser, std::nullopt, false);
  same_subscription.payer.subscription_id = Load(first).payer.subscription_id;
  EXPECT_EQ(Outcome(Save(nullptr, same_subscription, {})), kConflict);
}

TEST_P(AccountStoreContractTest, TakenUniqueKeysOfMethodsItemsAttemptsAndEventsAreConflicts) {
  const std::string payer = NewPayer("user_1").payer.id;
  const std::string other = NewPayer("user_2").payer.id;
  AddCard(other, t0_);
  const Account other_account = Load(other);
  ASSERT_THAT(other_account.payment_methods, SizeIs(1));
  const Account before = Load(payer);

  auto refused = [&](Account after, const std::vector<StoredEvent>& events = {}) {
    return Outcome(Save(&before, after, events));
  };

  Account method_taken = before;  // another payer's payment method id
  method_taken.payment_methods.push_back(other_account.payment_methods[0]);
  EXPECT_EQ(refused(method_taken), kConflict);

  Account two_current = before;  // a second current item
  two_current.items.push_back(before.items[0]);
  two_current.items.back().id = ids_.NewId("csub_item");
  EXPECT_EQ(refused(two_current), kConflict);

  Account item_taken = before;  // another payer's item id
  item_taken.items.push_back(other_account.items[0]);
  item_taken.items.back().status = ItemStatus::kEnded;
  EXPECT_EQ(refused(item_taken), kConflict);

  PaymentAttempt attempt;
  attempt.id = "cpay_1";
  attempt.item_id = before.items[0].id;
  attempt.status = AttemptStatus::kFailed;
  attempt.amount = 100;
  attempt.currency = "USD";
  attempt.payment_method_id = "cpm_none";
  attempt.period_start = t0_;
  attempt.period_end = t0_ + kDay;
  attempt.idempotency_key = "key_1";
  attempt.created_at = attempt.updated_at = t0_;
  Account with_attempt = before;
  with_attempt.attempts.push_back(attempt);
  ASSERT_TRUE(Save(&before, with_attempt, {}));
  const Account stored = Load(payer);  // the failed attempt is not in it

  auto refused_now = [&](Account after, const std::vector<StoredEvent>& events = {}) {
    return Outcome(Save(&stored, after, events));
  };
  Account attempt_taken = stored;  // the same attempt id again
  attempt_taken.attempts.push_back(attempt);
  attempt_taken.attempts.back().idempotency_key = "key_2";
  EXPECT_EQ(refused_now(attempt_taken), kConflict);

  Account key_taken = stored;  // the same idempotency key again
  key_taken.attempts.push_back(attempt);
  key_taken.attempts.back().id = "cpay_2";
  EXPECT_EQ(refused_now(key_taken), kConflict);

  Account paid_twice = stored;  // two paid attempts for one period of one item
  for (const char* id : {"cpay_3", "cpay_4"}) {
    paid_twice.attempts.push_back(attempt);
    paid_twice.attempts.back().id = id;
    paid_twice.attempts.back().idempotency_key = std::string("key_") + id;
    paid_twice.attempts.back().status = AttemptStatus::kPaid;
  }
  EXPECT_EQ(refused_now(paid_twice), kConflict);

  const StoredEvent event = Event(payer, "test.once", t0_);
  EXPECT_EQ(refused_now(stored, {event, event}), kConflict);  // one event id twice
  Account again = stored;
  ASSERT_EQ(refused_now(again, {event}), "saved");
  const Account latest = Load(payer);
  Account event_taken = latest;
  EXPECT_EQ(Outcome(Save(&latest, event_taken, {event})), kConflict);

  // None of the refused changes left a trace.
  const Account loaded = Load(payer);
  EXPECT_EQ(loaded.payer.version, 3);
  EXPECT_THAT(loaded.payment_methods, IsEmpty());
  EXPECT_EQ(loaded.items, before.items);
  EXPECT_THAT(AttemptIds(store().ListPaymentAttempts(payer, {}).value().data),
              ElementsAre("cpay_1"));
  EXPECT_THAT(EventIds(AllEvents(payer, "test.once", 10)), ElementsAre(event.id));
}

TEST_P(AccountStoreContractTest, DueWorkComesOldestFirstPerClockUpToTheLimit) {
  const Account real_time = NewPayer("user_1");
  const Account on_a = NewPayer("user_2", PayerType::kUser, "clock_a");
  const Account on_b = NewPayer("user_3", PayerType::kUser, "clock_b");
  // Ids are given in the order stored, from 1.
  Schedule(real_time.payer.id, {Work(real_time, t0_ + 3 * kDay), Work(real_time, t0_ + kDay),
                                Work(real_time, t0_ + 2 * kDay), Work(real_time, t0_ + kDay)});
  Schedule(on_a.payer.id, {Work(on_a, t0_ + kDay)});
  Schedule(on_b.payer.id, {Work(on_b, t0_ + kDay)});

  auto all = store().DueWorkUntil(t0_ + 10 * kDay, std::nullopt, 100);
  ASSERT_TRUE(all);
  ASSERT_THAT(WorkIds(*all), ElementsAre(2, 4, 3, 1));  // by due time, then id
  DueWork expected = Work(real_time, t0_ + kDay);
  expected.id = 2;
  expected.lease = all->front().lease;  // the backend's own
  EXPECT_EQ(all->front(), expected);

  EXPECT_THAT(WorkIds(store().DueWorkUntil(t0_ + 2 * kDay, std::nullopt, 100).value()),
              ElementsAre(2, 4, 3));
  EXPECT_THAT(WorkIds(store().DueWorkUntil(t0_ + kDay, std::nullopt, 100).value()),
              ElementsAre(2, 4));
  EXPECT_THAT(WorkIds(store().DueWorkUntil(t0_ + 10 * kDay, std::nullopt, 3).value()),
              ElementsAre(2, 4, 3));
  EXPECT_THAT(WorkIds(store().DueWorkUntil(t0_ + 10 * kDay, std::nullopt, 0).value()), IsEmpty());
  EXPECT_THAT(
      WorkIds(store()
                  .DueWorkUntil(t0_ + kDay - std::chrono::milliseconds(1), std::nullopt, 100)
                  .value()),
      IsEmpty());
  EXPECT_THAT(WorkIds(store().DueWorkUntil(t0_ + 10 * kDay, "clock_a", 100).value()),
              ElementsAre(5));
  EXPECT_THAT(WorkIds(store().DueWorkUntil(t0_ + 10 * kDay, "clock_b", 100).value()),
              ElementsAre(6));
  EXPECT_THAT(WorkIds(store().DueWorkUntil(t0_ + 10 * kDay, "clock_c", 100).value()), IsEmpty());

  // Work for a payer that does not exist is refused (not a conflict), and nothing is written.
  DueWork orphan = Work(real_time, t0_);
  orphan.payer_id = "cpayer_nobody";
  const Account before = Load(real_time.payer.id);
  Account after = before;
  auto refused = Save(&before, after, {}, {orphan});
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().kind, ErrorKind::kUnavailable);
  EXPECT_EQ(refused.error().code, "storage_error");
  EXPECT_EQ(Load(real_time.payer.id).payer.version, before.payer.version);
}

TEST_P(AccountStoreContractTest, APayersWorkWaitsForItsCheckoutAndThenRunsAtItsSettlement) {
  std::int64_t first_id = 1;  // ids are given in the order stored, from 1
  for (const std::optional<std::string>& clock : {std::optional<std::string>(), {"clock_a"}}) {
    SCOPED_TRACE(clock.value_or("real time"));
    const std::string suffix = clock.value_or("");
    const Account waiting = NewPayer("user_1" + suffix, PayerType::kUser, clock);
    const Account other = NewPayer("user_2" + suffix, PayerType::kUser, clock);
    const std::string payer = waiting.payer.id;
    AddCard(payer, t0_);
    Schedule(payer, {Work(waiting, t0_ + kDay), Work(waiting, t0_ + 5 * kDay)});
    Schedule(other.payer.id, {Work(other, t0_ + kDay)});
    const std::int64_t soon = first_id, later = first_id + 1, others = first_id + 2;
    first_id += 3;
    const Account checkout = Change(payer, t0_, [](Account& account, const LifecycleContext& c) {
      return Subscribe(account, {"pro", BillingInterval::kMonth, false}, c);
    });
    ASSERT_TRUE(checkout.HasPendingCheckout());

    // Nothing of the payer's is handed out while the gateway has not answered.
    EXPECT_THAT(WorkIds(store().DueWorkUntil(t0_ + 10 * kDay, clock, 10).value()),
                ElementsAre(others));

    // Settled (declined) on the third day: what fell due meanwhile is moved to that instant,
    // the rest keeps its time.
    const Instant settled = t0_ + 3 * kDay;
    Change(payer, settled, [&](Account& account, const LifecycleContext& c) {
      return ApplyChargeOutcome(account, checkout.attempts.at(0).id,
                                {ChargeStatus::kDeclined, "", "card_declined", "declined"}, c);
    });
    auto due = store().DueWorkUntil(t0_ + 10 * kDay, clock, 10);
    ASSERT_TRUE(due) << due.error().message;
    EXPECT_THAT(WorkIds(*due), ElementsAre(others, soon, later));
    std::vector<std::string> times;
    for (const DueWork& work : *due) times.push_back(std::to_string(ToUnixMillis(work.due_at)));
    EXPECT_THAT(times, ElementsAre(std::to_string(ToUnixMillis(t0_ + kDay)),
                                   std::to_string(ToUnixMillis(settled)),
                                   std::to_string(ToUnixMillis(t0_ + 5 * kDay))));
  }
}

TEST_P(AccountStoreContractTest, CompletingWorkTwiceIsWorkAlreadyDone) {
  const Account account = NewPayer("user_1");
  const std::string payer = account.payer.id;
  Schedule(payer, {Work(account, t0_ + kDay), Work(account, t0_ + 2 * kDay)});
  const std::vector<DueWork> read = store().DueWorkUntil(t0_ + 10 * kDay, std::nullopt, 10).value();
  ASSERT_THAT(WorkIds(read), ElementsAre(1, 2));

  const Account before = Load(payer);
  Account after = before;
  ASSERT_TRUE(Save(&before, after, {Event(payer, "test.done", t0_ + kDay)}, {}, {read[0]}));
  EXPECT_THAT(WorkIds(store().DueWorkUntil(t0_ + 10 * kDay, std::nullopt, 10).value()),
              ElementsAre(2));

  // A second runner, which read the same work, and the same version, loses.
  const Account latest = Load(payer);
  Account again = latest;
  const StoredEvent lost = Event(payer, "test.again", t0_ + kDay);
  EXPECT_EQ(Outcome(Save(&latest, again, {lost}, {Work(account, t0_ + 5 * kDay)}, {read[0]})),
            kWorkAlreadyDone);
  EXPECT_EQ(Load(payer).payer.version, latest.payer.version);
  EXPECT_THAT(EventIds(AllEvents(payer, "test.again", 10)), IsEmpty());
  EXPECT_THAT(WorkIds(store().DueWorkUntil(t0_ + 10 * kDay, std::nullopt, 10).value()),
              ElementsAre(2));
  EXPECT_EQ(Outcome(Save(&latest, again, {}, {}, {NeverHandedOut(999)})), kWorkAlreadyDone);

  // Completing one piece while scheduling the next, as a renewal does. The new piece's id is
  // greater than every id given before; the refused work may have used one up (PostgreSQL's
  // sequences do not roll back), so that is all it promises. The piece was read twice by this
  // store: the lease it was first handed out with is still the one it holds.
  ASSERT_TRUE(Save(&latest, again, {}, {Work(account, t0_ + 3 * kDay)}, {read[1]}));
  EXPECT_THAT(WorkIds(store().DueWorkUntil(t0_ + 10 * kDay, std::nullopt, 10).value()),
              ElementsAre(::testing::Gt(2)));
}

TEST_P(AccountStoreContractTest, SeveralPiecesCompleteTogetherOrNotAtAll) {
  const Account account = NewPayer("user_1");
  const std::string payer = account.payer.id;
  Schedule(payer, {Work(account, t0_ + kDay), Work(account, t0_ + 2 * kDay),
                   Work(account, t0_ + 3 * kDay)});
  const std::vector<DueWork> read = store().DueWorkUntil(t0_ + 10 * kDay, std::nullopt, 10).value();
  ASSERT_THAT(WorkIds(read), ElementsAre(1, 2, 3));

  // One of them done already (or named twice): nothing of the save is kept.
  for (const std::vector<DueWork>& refused :
       {std::vector<DueWork>{read[0], read[1], NeverHandedOut(999)},
        std::vector<DueWork>{read[0], read[0]}}) {
    const Account before = Load(payer);
    Account after = before;
    const StoredEvent lost = Event(payer, "test.lost", t0_ + kDay);
    EXPECT_EQ(Outcome(Save(&before, after, {lost}, {}, refused)), kWorkAlreadyDone);
    EXPECT_EQ(Load(payer).payer.version, before.payer.version);
    EXPECT_THAT(EventIds(AllEvents(payer, "test.lost", 10)), IsEmpty());
    EXPECT_THAT(WorkIds(store().DueWorkUntil(t0_ + 10 * kDay, std::nullopt, 10).value()),
                ElementsAre(1, 2, 3));
  }

  const Account before = Load(payer);
  Account after = before;
  ASSERT_TRUE(
      Save(&before, after, {Event(payer, "test.both", t0_ + 2 * kDay)}, {}, {read[0], read[1]}));
  EXPECT_THAT(WorkIds(store().DueWorkUntil(t0_ + 10 * kDay, std::nullopt, 10).value()),
              ElementsAre(3));
}

TEST_P(AccountStoreContractTest, EventsComeNewestFirstInPagesAndFilters) {
  const std::string first = NewPayer("user_1").payer.id;
  const std::string second = NewPayer("user_2").payer.id;
  for (int round = 0; round < 3; ++round) {
    for (const std::string& payer : {first, second}) {
      const Account before = Load(payer);
      Account after = before;
      const Instant at = t0_ + round * kDay;
      ASSERT_TRUE(Save(&before, after, {Event(payer, "test.a", at), Event(payer, "test.b", at)}));
    }
  }

  auto newest = store().ListEvents("", "", {100, ""});
  ASSERT_TRUE(newest);
  EXPECT_EQ(EventIds(newest->data), SavedEventIds("", ""));
  EXPECT_FALSE(newest->has_more);
  ASSERT_FALSE(newest->data.empty());
  const StoredEvent& last = saved_events_.back();
  EXPECT_EQ(newest->data[0].id, last.id);
  EXPECT_EQ(newest->data[0].type, last.type);
  EXPECT_EQ(newest->data[0].payer_id, last.payer_id);
  EXPECT_EQ(newest->data[0].timestamp, last.timestamp);
  EXPECT_EQ(newest->data[0].body, last.body);

  for (int limit : {1, 2, 3, 5}) {
    EXPECT_EQ(EventIds(AllEvents("", "", limit)), SavedEventIds("", "")) << limit;
    EXPECT_EQ(EventIds(AllEvents(first, "", limit)), SavedEventIds(first, "")) << limit;
    EXPECT_EQ(EventIds(AllEvents("", "test.a", limit)), SavedEventIds("", "test.a")) << limit;
    EXPECT_EQ(EventIds(AllEvents(second, "test.b", limit)), SavedEventIds(second, "test.b"))
        << limit;
  }
  EXPECT_THAT(EventIds(AllEvents("cpayer_nobody", "", 10)), IsEmpty());
  EXPECT_THAT(EventIds(AllEvents("", "test.none", 10)), IsEmpty());

  // A cursor is a place in the whole outbox, whatever the filters: after the second payer's
  // newest event come the first payer's events stored before it.
  const std::string cursor = SavedEventIds(second, "")[0];
  std::vector<std::string> expected;
  bool passed = false;
  for (auto it = saved_events_.rbegin(); it != saved_events_.rend(); ++it) {
    if (passed && it->payer_id == first) expected.push_back(it->id);
    passed = passed || it->id == cursor;
  }
  ASSERT_FALSE(expected.empty());
  auto after_other = store().ListEvents(first, "", {100, cursor});
  ASSERT_TRUE(after_other);
  EXPECT_EQ(EventIds(after_other->data), expected);

  // Limits are clamped to 1..100.
  auto one = store().ListEvents("", "", {0, ""});
  ASSERT_TRUE(one);
  EXPECT_THAT(one->data, SizeIs(1));
  EXPECT_TRUE(one->has_more);
  const Account before = Load(first);
  Account after = before;
  std::vector<StoredEvent> many;
  for (int i = 0; i < 110; ++i) many.push_back(Event(first, "test.many", t0_));
  ASSERT_TRUE(Save(&before, after, many));
  auto hundred = store().ListEvents("", "", {1000, ""});
  ASSERT_TRUE(hundred);
  EXPECT_THAT(hundred->data, SizeIs(100));
  EXPECT_TRUE(hundred->has_more);

  auto unknown = store().ListEvents("", "", {10, "evt_nothing"});
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().kind, ErrorKind::kInvalidArgument);
  EXPECT_EQ(unknown.error().code, "invalid_parameter");
  EXPECT_EQ(unknown.error().param, "starting_after");
}

TEST_P(AccountStoreContractTest, PaymentAttemptsComeNewestFirstInPages) {
  const Account account = NewPayer("user_1");
  const std::string payer = account.payer.id;
  const std::string other = NewPayer("user_2").payer.id;
  std::vector<std::string> stored;
  for (int i = 0; i < 5; ++i) {
    const Account before = Load(payer);
    Account after = before;
    PaymentAttempt attempt;
    attempt.id = "cpay_" + std::to_string(i);
    attempt.item_id = account.items[0].id;
    attempt.status = i == 4 ? AttemptStatus::kPending : AttemptStatus::kFailed;
    attempt.amount = 100 + i;
    attempt.currency = "USD";
    attempt.payment_method_id = "cpm_none";
    attempt.period_start = t0_ + i * kDay;
    attempt.period_end = t0_ + (i + 1) * kDay;
    attempt.idempotency_key = "key_" + std::to_string(i);
    // Created earlier than the one before: lists follow the order stored, not created_at.
    attempt.created_at = attempt.updated_at = t0_ - i * kDay;
    after.attempts.push_back(attempt);
    ASSERT_TRUE(Save(&before, after, {}));
    stored.insert(stored.begin(), attempt.id);
  }
  auto page = store().ListPaymentAttempts(payer, {2, ""});
  ASSERT_TRUE(page);
  EXPECT_THAT(AttemptIds(page->data), ElementsAre("cpay_4", "cpay_3"));
  EXPECT_TRUE(page->has_more);
  page = store().ListPaymentAttempts(payer, {2, "cpay_3"});
  ASSERT_TRUE(page);
  EXPECT_THAT(AttemptIds(page->data), ElementsAre("cpay_2", "cpay_1"));
  EXPECT_TRUE(page->has_more);
  page = store().ListPaymentAttempts(payer, {2, "cpay_1"});
  ASSERT_TRUE(page);
  EXPECT_THAT(AttemptIds(page->data), ElementsAre("cpay_0"));
  EXPECT_FALSE(page->has_more);
  EXPECT_EQ(AttemptIds(store().ListPaymentAttempts(payer, {100, ""}).value().data), stored);
  EXPECT_THAT(store().ListPaymentAttempts(payer, {0, ""}).value().data, SizeIs(1));
  EXPECT_THAT(store().ListPaymentAttempts(other, {10, ""}).value().data, IsEmpty());
  EXPECT_THAT(store().ListPaymentAttempts(other, {10, "cpay_2"}).value().data, IsEmpty());
  EXPECT_THAT(store().ListPaymentAttempts("", {10, ""}).value().data, IsEmpty());

  auto unknown = store().ListPaymentAttempts(payer, {10, "cpay_nothing"});
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().kind, ErrorKind::kInvalidArgument);
  EXPECT_EQ(unknown.error().code, "invalid_parameter");
  EXPECT_EQ(unknown.error().param, "starting_after");

  // The account holds the pending one only, which is this store's while its lease runs.
  EXPECT_THAT(AttemptIds(Load(payer).attempts), ElementsAre("cpay_4"));
  EXPECT_THAT(store().TakePendingAttempts(-1).value(), IsEmpty());
}

TEST_P(AccountStoreContractTest, PendingAttemptsAreOrderedByCreation) {
  const Account account = NewPayer("user_1");
  Account before = Load(account.payer.id);
  Account after = before;
  for (int i = 0; i < 3; ++i) {
    PaymentAttempt attempt;
    attempt.id = "cpay_" + std::to_string(i);
    attempt.item_id = account.items[0].id;
    attempt.amount = 100;
    attempt.currency = "USD";
    attempt.payment_method_id = "cpm_none";
    attempt.period_start = t0_ + i * kDay;
    attempt.period_end = t0_ + (i + 1) * kDay;
    attempt.idempotency_key = "key_" + std::to_string(i);
    attempt.created_at = attempt.updated_at = i == 1 ? t0_ - kDay : t0_;
    after.attempts.push_back(attempt);
  }
  ASSERT_TRUE(Save(&before, after, {}));
  EXPECT_THAT(AttemptIds(Load(account.payer.id).attempts),
              ElementsAre("cpay_1", "cpay_0", "cpay_2"));
}

// Leases on pending attempts (account_store.h). Every lease here is the store's default (a
// minute and more), so none lapses during a test: what is taken is what was postponed for no
// time.
TEST_P(AccountStoreContractTest, APendingAttemptIsHeldByTheStoreThatStoredIt) {
  const std::string payer = NewPayer("user_1").payer.id;
  AddCard(payer, t0_);
  const Account checkout = SubscribeTo(payer, "business", t0_);
  ASSERT_THAT(checkout.attempts, SizeIs(1));
  EXPECT_THAT(store().TakePendingAttempts(-1).value(), IsEmpty());
}

TEST_P(AccountStoreContractTest, AnAttemptPostponedForNoTimeIsTakenWithItsPendingAnswersCounted) {
  const std::string payer = NewPayer("user_1").payer.id;
  AddCard(payer, t0_);
  const std::string attempt = SubscribeTo(payer, "business", t0_).attempts.at(0).id;

  ASSERT_TRUE(store().PostponePendingAttempt(attempt, std::chrono::milliseconds(0)));
  EXPECT_THAT(store().TakePendingAttempts(-1).value(),
              ElementsAre(TakenAttempt{payer, attempt, 1}));
  // Taken: this store's now, for a lease.
  EXPECT_THAT(store().TakePendingAttempts(-1).value(), IsEmpty());

  ASSERT_TRUE(store().PostponePendingAttempt(attempt, std::chrono::milliseconds(0)));
  EXPECT_THAT(store().TakePendingAttempts(-1).value(),
              ElementsAre(TakenAttempt{payer, attempt, 2}));
}

TEST_P(AccountStoreContractTest, AnAttemptPostponedForAnHourIsNotTaken) {
  const std::string payer = NewPayer("user_1").payer.id;
  AddCard(payer, t0_);
  const std::string attempt = SubscribeTo(payer, "business", t0_).attempts.at(0).id;
  ASSERT_TRUE(store().PostponePendingAttempt(attempt, std::chrono::hours(1)));
  EXPECT_THAT(store().TakePendingAttempts(-1).value(), IsEmpty());
}

TEST_P(AccountStoreContractTest, ASettledAttemptIsNeverTakenNorPostponed) {
  const std::string payer = NewPayer("user_1").payer.id;
  AddCard(payer, t0_);
  const PaymentAttempt pending = SubscribeTo(payer, "business", t0_).attempts.at(0);
  ASSERT_TRUE(store().PostponePendingAttempt(pending.id, std::chrono::milliseconds(0)));
  Change(payer, t0_, [&](Account& account, const LifecycleContext& context) {
    return ApplyChargeOutcome(account, pending.id, {ChargeStatus::kPaid, "ch_1"}, context);
  });
  EXPECT_THAT(store().TakePendingAttempts(-1).value(), IsEmpty());
  ASSERT_TRUE(store().PostponePendingAttempt(pending.id, std::chrono::milliseconds(0)));
  EXPECT_THAT(store().TakePendingAttempts(-1).value(), IsEmpty());
  EXPECT_TRUE(store().PostponePendingAttempt("cpay_nothing", std::chrono::milliseconds(0)));
}

TEST_P(AccountStoreContractTest, ASqliteStoreOpenedAgainTakesWhatTheEarlierRunHeldAtOnce) {
  if (GetParam() != StoreKind::kSqlite) GTEST_SKIP() << "SQLite alone outlives its process";
  const std::string payer = NewPayer("user_1").payer.id;
  AddCard(payer, t0_);
  const std::string attempt = SubscribeTo(payer, "business", t0_).attempts.at(0).id;
  // The earlier run died between the commit and the gateway's answer; the next one starts.
  auto reopened = SqliteStore::Open(database_.path(), ids_, t0_);
  ASSERT_TRUE(reopened) << reopened.error().message;
  EXPECT_THAT((*reopened)->TakePendingAttempts(-1).value(),
              ElementsAre(TakenAttempt{payer, attempt, 0}));
  EXPECT_THAT((*reopened)->TakePendingAttempts(-1).value(), IsEmpty());
}

TEST_P(AccountStoreContractTest, PendingAttemptsAreTakenInTheOrderStoredUpToTheLimit) {
  std::vector<TakenAttempt> postponed;
  for (const char* external_id : {"user_1", "user_2", "user_3"}) {
    const std::string payer = NewPayer(external_id).payer.id;
    AddCard(payer, t0_);
    const std::string attempt = SubscribeTo(payer, "business", t0_).attempts.at(0).id;
    ASSERT_TRUE(store().PostponePendingAttempt(attempt, std::chrono::milliseconds(0)));
    postponed.push_back({payer, attempt, 1});
  }
  EXPECT_THAT(store().TakePendingAttempts(0).value(), IsEmpty());
  EXPECT_THAT(store().TakePendingAttempts(2).value(), ElementsAre(postponed[0], postponed[1]));
  EXPECT_THAT(store().TakePendingAttempts(2).value(), ElementsAre(postponed[2]));
}

TEST_P(AccountStoreContractTest, ListsEveryPayersCurrentPlan) {
  const Account free_user = NewPayer("user_1");
  const Account trial_user = NewPayer("user_2");
  AddCard(trial_user.payer.id, t0_);
  SubscribeTo(trial_user.payer.id, "pro", t0_);
  const Account org = NewPayer("org_1", PayerType::kOrg);

  auto plans = store().ListCurrentPlans();
  ASSERT_TRUE(plans);
  std::vector<std::string> rows;
  for (const AccountStore::CurrentPlan& plan : *plans) {
    rows.push_back(plan.payer_id + " " + std::string(PayerTypeName(plan.payer_type)) + " " +
                   plan.external_id + " " + plan.plan_slug + " " +
                   std::string(ItemStatusName(plan.status)));
  }
  EXPECT_THAT(rows, UnorderedElementsAre(free_user.payer.id + " user user_1 free active",
                                         trial_user.payer.id + " user user_2 pro active",
                                         org.payer.id + " org org_1 org-free active"));
}

TEST_P(AccountStoreContractTest, ConcurrentWritersOfOnePayerEachLandOnce) {
  const std::string payer = NewPayer("user_1").payer.id;
  constexpr int kWriters = 6;
  std::atomic<int> conflicts = 0;
  std::vector<std::thread> writers;
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([&, w] {
      const std::string method_id = "cpm_" + std::to_string(w);
      while (true) {
        auto loaded = store().LoadAccount(payer);
        if (!loaded || !*loaded) return;
        const Account before = **loaded;
        Account after = before;
        after.payment_methods.push_back({method_id, "pm_card_visa", "visa", "4242", 12, 2034, t0_});
        auto saved = store().SaveTransition(&before, after, {}, {}, {});
        if (saved) return;
        if (saved.error().code != "concurrent_change") {
          ADD_FAILURE() << saved.error().message;
          return;
        }
        ++conflicts;
        (void)store().DueWorkUntil(t0_, std::nullopt, 10);  // readers alongside the writers
      }
    });
  }
  for (std::thread& writer : writers) writer.join();
  const Account loaded = Load(payer);
  EXPECT_THAT(loaded.payment_methods, SizeIs(kWriters));
  EXPECT_EQ(loaded.payer.version, 1 + kWriters);
}

// --- The memory store's own options.

// A payer with nothing but its ids.
Account BarePayer() {
  Account account;
  account.payer.id = "cpayer_1";
  account.payer.external_id = "user_1";
  account.payer.subscription_id = "csub_1";
  return account;
}

TEST(MemoryAccountStoreTest, WithoutKeptEventsListsNoneAndStillSaves) {
  MemoryAccountStore store({.keep_events = false});
  const Account account = BarePayer();
  const StoredEvent event{"evt_1", "test.a", "cpayer_1", FromUnixMillis(0), "{}"};
  ASSERT_TRUE(store.SaveTransition(nullptr, account, {event}, {}, {}));
  EXPECT_THAT(store.ListEvents("", "", {}).value().data, IsEmpty());
  EXPECT_THAT(store.ListEvents("cpayer_1", "test.a", {}).value().data, IsEmpty());
  auto cursor = store.ListEvents("", "", {10, "evt_1"});
  ASSERT_FALSE(cursor);
  EXPECT_EQ(cursor.error().code, "invalid_parameter");
  // Its id is not remembered either; within one transition it is still checked.
  const Account before = *store.LoadAccount("cpayer_1").value();
  EXPECT_EQ(Outcome(store.SaveTransition(&before, before, {event}, {}, {})), "saved");
  const Account latest = *store.LoadAccount("cpayer_1").value();
  EXPECT_EQ(Outcome(store.SaveTransition(&latest, latest, {event, event}, {}, {})), kConflict);
  EXPECT_EQ(store.LoadAccount("cpayer_1").value()->payer.version, 2);
}

TEST(MemoryAccountStoreTest, WithoutSettledAttemptsForgetsThemOnceSettled) {
  MemoryAccountStore store({.keep_settled_attempts = false});
  Account account = BarePayer();
  SubscriptionItem item;
  item.id = "csub_item_1";
  item.plan_slug = "pro";
  item.currency = "USD";
  account.items.push_back(item);
  PaymentAttempt attempt;
  attempt.id = "cpay_1";
  attempt.item_id = item.id;
  attempt.amount = 2000;
  attempt.currency = "USD";
  attempt.idempotency_key = "csub_item_1:0";
  account.attempts.push_back(attempt);
  ASSERT_TRUE(store.SaveTransition(nullptr, account, {}, {}, {}));
  // Pending: kept, listed, loaded.
  EXPECT_EQ(store.ListPaymentAttempts("cpayer_1", {}).value().data.size(), 1u);
  const Account pending = *store.LoadAccount("cpayer_1").value();
  ASSERT_EQ(pending.attempts.size(), 1u);

  Account paid = pending;
  paid.attempts[0].status = AttemptStatus::kPaid;
  ASSERT_EQ(Outcome(store.SaveTransition(&pending, paid, {}, {}, {})), "saved");
  EXPECT_THAT(store.ListPaymentAttempts("cpayer_1", {}).value().data, IsEmpty());
  const Account settled = *store.LoadAccount("cpayer_1").value();
  EXPECT_THAT(settled.attempts, IsEmpty());
  EXPECT_EQ(settled.payer.version, 2);
  // Saving from the account the service holds (the paid attempt unchanged) still works.
  Account later = paid;
  later.payer.version = 2;
  EXPECT_EQ(Outcome(store.SaveTransition(&later, later, {}, {}, {})), "saved");
}

// --- The real billing service and scheduler over each store.

struct RecordedEvent {
  std::string type;
  std::int64_t at;
  friend bool operator==(const RecordedEvent&, const RecordedEvent&) = default;
};

void PrintTo(const RecordedEvent& event, std::ostream* out) {
  *out << event.type << "@" << event.at;
}

// One payer starts Pro's trial with pm_card_visa and lives 60 days, the scheduler running every
// simulated day. Returns the payer's events, oldest first.
std::vector<RecordedEvent> RunProTrialForSixtyDays(StoreKind kind) {
  TemporaryDatabase database;
  SeededIdGenerator ids(42);
  ManualClock clock(FromUnixMillis(1'735'689'600'000));  // 2025-01-01
  auto sqlite = SqliteStore::Open(database.path(), ids, clock.Now());
  EXPECT_TRUE(sqlite) << sqlite.error().message;
  if (!sqlite) return {};
  std::unique_ptr<TemporaryPostgresDatabase> postgres_database;
  std::unique_ptr<PostgresStore> postgres;
  if (kind == StoreKind::kPostgres) {
    postgres_database = std::make_unique<TemporaryPostgresDatabase>();
    EXPECT_TRUE(postgres_database->ok()) << postgres_database->error();
    if (!postgres_database->ok()) return {};
    auto opened = PostgresStore::Open(postgres_database->settings(), ids, clock.Now());
    EXPECT_TRUE(opened) << opened.error().message;
    if (!opened) return {};
    postgres = std::move(*opened);
  }
  CatalogStore& catalog_store = postgres ? static_cast<CatalogStore&>(*postgres) : **sqlite;
  TestClockStore& test_clocks = postgres ? static_cast<TestClockStore&>(*postgres) : **sqlite;
  CatalogService catalog(kPlans, catalog_store, clock);
  EXPECT_TRUE(catalog.Reload().value().ok());
  MemorySandboxLedger sandbox_ledger;
  SandboxGateway gateway(sandbox_ledger);
  MemoryAccountStore memory;
  CachingAccountStore cached(**sqlite, 100);
  AccountStore& store = kind == StoreKind::kMemory         ? static_cast<AccountStore&>(memory)
                        : kind == StoreKind::kCachedSqlite ? static_cast<AccountStore&>(cached)
                        : postgres                         ? static_cast<AccountStore&>(*postgres)
                                                           : **sqlite;
  BillingService billing(store, test_clocks, catalog, gateway, clock, ids, ids, LifecycleOptions{},
                         "ins_test");
  EXPECT_TRUE(billing.Start());

  auto account =
      billing.CreatePayer({"user_1", PayerType::kUser, "u@example.com", "", std::nullopt});
  EXPECT_TRUE(account) << account.error().message;
  if (!account) return {};
  const std::string payer = account->payer.id;
  EXPECT_TRUE(billing.AddPaymentMethod(payer, "pm_card_visa", true));
  auto trial = billing.Subscribe(payer, {"pro"});
  EXPECT_TRUE(trial) << trial.error().message;

  Scheduler scheduler(billing, store, clock, {});
  for (int day = 0; day < 60; ++day) {
    clock.Advance(kDay);
    auto ran = scheduler.RunUntil(clock.Now(), std::nullopt);
    EXPECT_TRUE(ran) << ran.error().message;
  }

  std::vector<RecordedEvent> events;
  ListOptions options{100, ""};
  while (true) {
    auto page = store.ListEvents(payer, "", options);
    EXPECT_TRUE(page) << page.error().message;
    if (!page) break;
    for (const StoredEvent& event : page->data) {
      events.push_back({event.type, ToUnixMillis(event.timestamp)});
    }
    if (!page->has_more || page->data.empty()) break;
    options.starting_after = page->data.back().id;
  }
  std::ranges::reverse(events);
  return events;
}

TEST(AccountStoreContractBillingTest, AProTrialForSixtyDaysGivesTheSameEventsOnEveryStore) {
  const std::vector<RecordedEvent> on_sqlite = RunProTrialForSixtyDays(StoreKind::kSqlite);
  const std::vector<RecordedEvent> on_memory = RunProTrialForSixtyDays(StoreKind::kMemory);
  const std::vector<RecordedEvent> on_cached = RunProTrialForSixtyDays(StoreKind::kCachedSqlite);
  const std::vector<RecordedEvent> on_postgres = RunProTrialForSixtyDays(StoreKind::kPostgres);
  EXPECT_THAT(on_sqlite, Not(IsEmpty()));
  EXPECT_THAT(on_sqlite,
              Contains(::testing::Field(&RecordedEvent::type, "subscriptionItem.freeTrialEnding")));
  EXPECT_THAT(on_sqlite,
              Contains(::testing::Field(&RecordedEvent::type, "paymentAttempt.updated")));
  EXPECT_EQ(on_memory, on_sqlite);
  EXPECT_EQ(on_cached, on_sqlite);
  EXPECT_EQ(on_postgres, on_sqlite);
}

// The webhook outbox half of SaveTransition (account_store.h, step 3), on the stores that keep
// webhook endpoints. The memory store keeps none, so there every event fans out to nothing.
class WebhookOutboxContractTest : public AccountStoreContractTest {
 protected:
  // The store that keeps the endpoints: PostgresStore for kPostgres, else the SQLite store
  // beside (or under) the store under test.
  template <typename Store>
  Store& Keeping() {
    if (postgres_ != nullptr) return *postgres_;
    return *sqlite_;
  }
  WebhookEndpointStore& endpoint_store() { return Keeping<WebhookEndpointStore>(); }
  WebhookDeliveryStore& delivery_store() { return Keeping<WebhookDeliveryStore>(); }

  WebhookEndpoint Endpoint(std::vector<std::string> event_types) {
    WebhookEndpoint endpoint;
    endpoint.id = ids_.NewId("wep");
    endpoint.url = "https://hooks.example.com/" + endpoint.id;
    endpoint.event_types = std::move(event_types);
    endpoint.secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    endpoint.created_at = endpoint.updated_at = t0_;
    auto created = endpoint_store().CreateWebhookEndpoint(endpoint);
    EXPECT_TRUE(created) << created.error().message;
    return endpoint;
  }
  // Every delivery due, as (webhook-id, endpoint id, event type).
  std::vector<std::string> DueDeliveries() {
    std::vector<std::string> due;
    const std::vector<DueDelivery> deliveries =
        delivery_store().DueDeliveries(t0_, 100, {}, {}).value();
    for (const DueDelivery& delivery : deliveries) {
      due.push_back(delivery.msg_id + " " + delivery.endpoint.id + " " + delivery.event_type);
    }
    return due;
  }
  static std::string Delivery(const StoredEvent& event, const WebhookEndpoint& endpoint) {
    return WebhookIdOf(event.id, endpoint.id) + " " + endpoint.id + " " + event.type;
  }
};

INSTANTIATE_TEST_SUITE_P(StoresWithEndpoints, WebhookOutboxContractTest,
                         ::testing::Values(StoreKind::kSqlite, StoreKind::kCachedSqlite,
                                           StoreKind::kPostgres),
                         StoreName);

TEST_P(WebhookOutboxContractTest, EachEventGoesToTheEnabledEndpointsWhoseFilterTakesIt) {
  const WebhookEndpoint every = Endpoint({});
  const WebhookEndpoint items_only = Endpoint({"subscriptionItem.active"});
  const WebhookEndpoint disabled = Endpoint({});
  ASSERT_TRUE(endpoint_store().DisableWebhookEndpoint(disabled.id, "test", t0_, std::nullopt));
  WebhookEndpoint deleted = Endpoint({});
  deleted.deleted_at = t0_;
  ASSERT_TRUE(endpoint_store().UpdateWebhookEndpoint(deleted));
  ASSERT_THAT(DueDeliveries(), IsEmpty());

  const Account account = NewPayer("user_1", PayerType::kUser, std::nullopt, false);
  const StoredEvent created = Event(account.payer.id, "subscription.created", t0_);
  const StoredEvent active = Event(account.payer.id, "subscriptionItem.active", t0_);
  Account after = account;
  ASSERT_TRUE(Save(nullptr, after, {created, active}));

  EXPECT_THAT(DueDeliveries(),
              UnorderedElementsAre(Delivery(created, every), Delivery(active, every),
                                   Delivery(active, items_only)));
  const std::vector<DueDelivery> deliveries =
      delivery_store().DueDeliveries(t0_, 100, {}, {}).value();
  for (const DueDelivery& delivery : deliveries) {
    EXPECT_EQ(delivery.body, delivery.event_type == created.type ? created.body : active.body);
    EXPECT_EQ(delivery.attempts, 0);
  }
  // The disabled endpoint had none queued: enabling it brings no delivery of those events.
  WebhookEndpoint enabled = *endpoint_store().GetWebhookEndpoint(disabled.id).value();
  enabled.disabled = false;
  ASSERT_TRUE(endpoint_store().UpdateWebhookEndpoint(enabled));
  EXPECT_THAT(DueDeliveries(), SizeIs(3));
}

TEST_P(WebhookOutboxContractTest, ARefusedTransitionQueuesNoDelivery) {
  const WebhookEndpoint every = Endpoint({});
  const Account before = NewPayer("user_1");
  const std::vector<std::string> queued = DueDeliveries();
  Account after = before;
  Account stale = before;
  stale.payer.version -= 1;  // read before the payer's last change
  const StoredEvent lost = Event(before.payer.id, "subscription.updated", t0_);
  EXPECT_EQ(Outcome(Save(&stale, after, {lost})), kConcurrentChange);
  EXPECT_EQ(DueDeliveries(), queued);
}

TEST_P(WebhookOutboxContractTest, AnEndpointMadeLaterGetsNoEarlierEvents) {
  const Account account = NewPayer("user_1");
  const WebhookEndpoint later = Endpoint({});
  EXPECT_THAT(DueDeliveries(), IsEmpty());
  const Account before = Load(account.payer.id);
  Account after = before;
  const StoredEvent updated = Event(account.payer.id, "subscription.updated", t0_);
  ASSERT_TRUE(Save(&before, after, {updated}));
  EXPECT_THAT(DueDeliveries(), ElementsAre(Delivery(updated, later)));
}

}  // namespace
}  // namespace recur::account_store_contract_test
