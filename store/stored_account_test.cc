#include "store/stored_account.h"

#include <gtest/gtest.h>

namespace recur::stored_account_test {
namespace {

const Instant t0 = FromUnixMillis(1'735'689'600'000);
const std::chrono::hours kHour(1);

Account TwoItems() {
  Account account;
  account.payer.id = "cpayer_1";
  account.payer.external_id = "user_1";
  account.payer.subscription_id = "csub_1";
  account.payer.created_at = t0;
  account.payer.version = 4;
  account.payment_methods.push_back({"cpm_b", "pm_card_visa", "visa", "4242", 12, 2034, t0});
  SubscriptionItem free;
  free.id = "csub_item_free";
  free.created_at = t0;
  SubscriptionItem pro = free;
  pro.id = "csub_item_pro";
  pro.created_at = t0 + kHour;
  account.items = {free, pro};
  return account;
}

PaymentAttempt Attempt(std::string id, AttemptStatus status, Instant created_at) {
  PaymentAttempt attempt;
  attempt.id = std::move(id);
  attempt.status = status;
  attempt.created_at = created_at;
  return attempt;
}

TEST(AccountAsStored, BumpsTheVersionSortsAndHoldsOnlyPendingAttempts) {
  const Account before = TwoItems();
  Account after = before;
  after.payer.email = "new@example.com";
  after.payer.version = 99;  // the store counts versions itself
  after.payment_methods.insert(after.payment_methods.begin(),
                               {"cpm_c", "pm_card_mastercard", "mc", "4444", 1, 2030, t0 + kHour});
  after.payment_methods.push_back({"cpm_a", "pm_card_visa", "visa", "4242", 12, 2034, t0});
  after.attempts = {Attempt("cpa_late", AttemptStatus::kPending, t0 + 3 * kHour),
                    Attempt("cpa_paid", AttemptStatus::kPaid, t0 + kHour),
                    Attempt("cpa_early", AttemptStatus::kPending, t0 + 2 * kHour)};

  const std::optional<Account> stored = AccountAsStored(&before, after);
  ASSERT_TRUE(stored);
  EXPECT_EQ(stored->payer.version, 5);
  EXPECT_EQ(stored->payer.email, "new@example.com");
  ASSERT_EQ(stored->payment_methods.size(), 3u);
  EXPECT_EQ(stored->payment_methods[0].id, "cpm_a");  // same instant as cpm_b: by id
  EXPECT_EQ(stored->payment_methods[1].id, "cpm_b");
  EXPECT_EQ(stored->payment_methods[2].id, "cpm_c");
  EXPECT_EQ(stored->items, before.items);
  ASSERT_EQ(stored->attempts.size(), 2u);
  EXPECT_EQ(stored->attempts[0].id, "cpa_early");
  EXPECT_EQ(stored->attempts[1].id, "cpa_late");

  const std::optional<Account> created = AccountAsStored(nullptr, before);
  ASSERT_TRUE(created);
  EXPECT_EQ(created->payer.version, 1);
}

TEST(AccountAsStored, PutsANewItemAfterTheOldOnesOfItsInstant) {
  // As on a frozen test clock: the new item is created at the instant of the first one.
  const Account before = TwoItems();
  Account after = before;
  SubscriptionItem same_instant = after.items[0];
  same_instant.id = "csub_item_next";
  after.items.push_back(same_instant);
  after.attempts = {Attempt("cpa_2", AttemptStatus::kPending, t0)};

  const std::optional<Account> stored = AccountAsStored(&before, after);
  ASSERT_TRUE(stored);
  ASSERT_EQ(stored->items.size(), 3u);
  EXPECT_EQ(stored->items[0].id, before.items[0].id);
  EXPECT_EQ(stored->items[1].id, "csub_item_next");  // after the old one of its instant
  EXPECT_EQ(stored->items[2].id, before.items[1].id);
}

TEST(AccountAsStored, LeavesItToTheStoreWhereAfterDoesNotSayItAll) {
  const Account before = TwoItems();
  {
    Account after = before;
    after.payer.external_id = "user_renamed";  // fixed at creation: the store keeps user_1
    EXPECT_EQ(AccountAsStored(&before, after), std::nullopt);
  }
  {
    Account after = before;
    after.payment_methods[0].last4 = "0000";  // the store never changes a method
    EXPECT_EQ(AccountAsStored(&before, after), std::nullopt);
  }
  {
    Account after = before;
    after.items.pop_back();  // the store never removes an item
    EXPECT_EQ(AccountAsStored(&before, after), std::nullopt);
  }
  {
    Account with_attempt = before;
    with_attempt.attempts = {Attempt("cpa_1", AttemptStatus::kPending, t0)};
    Account after = with_attempt;
    after.attempts.clear();  // nor an attempt
    EXPECT_EQ(AccountAsStored(&with_attempt, after), std::nullopt);
  }
  {
    Account after = before;
    SubscriptionItem same_instant = after.items[1];
    same_instant.id = "csub_item_next";  // created with the pro item, and placed before it
    after.items.insert(after.items.begin() + 1, same_instant);
    EXPECT_EQ(AccountAsStored(&before, after), std::nullopt);
  }
  {
    Account after = before;
    SubscriptionItem first = after.items[1];
    first.id = "csub_item_a";
    SubscriptionItem second = first;
    second.id = "csub_item_b";  // two new items of one instant: the store orders them
    after.items.push_back(first);
    after.items.push_back(second);
    EXPECT_EQ(AccountAsStored(&before, after), std::nullopt);
  }
  {
    Account after = before;
    after.attempts = {Attempt("cpa_1", AttemptStatus::kPending, t0),
                      Attempt("cpa_2", AttemptStatus::kPending, t0)};
    EXPECT_EQ(AccountAsStored(&before, after), std::nullopt);
  }
}

}  // namespace
}  // namespace recur::stored_account_test
