#include "domain/subscriptions/card_changes.h"

#include <gtest/gtest.h>

namespace recur::card_changes_test {
namespace {

PaymentMethod Card(std::string id, std::string token) {
  return {std::move(id), std::move(token), "visa", "4242", 12, 2034, Instant{}};
}

SubscriptionItem Item(ItemStatus status, std::int64_t amount) {
  SubscriptionItem item;
  item.id = "csub_item_1";
  item.status = status;
  item.amount = amount;
  return item;
}

// A payer with two cards, the first the default, on an item of `amount`.
Account Payer(ItemStatus status, std::int64_t amount) {
  Account account;
  account.payer.id = "cpayer_1";
  account.payment_methods = {Card("cpm_1", "pm_one"), Card("cpm_2", "pm_two")};
  account.payer.default_payment_method_id = "cpm_1";
  account.items = {Item(status, amount)};
  return account;
}

TEST(CardChangesTest, FindsAMethodByItsIdOrItsGatewayToken) {
  const Account account = Payer(ItemStatus::kActive, 0);
  ASSERT_NE(FindPaymentMethod(account, "cpm_2"), nullptr);
  EXPECT_EQ(FindPaymentMethod(account, "pm_two")->id, "cpm_2");
  EXPECT_EQ(FindPaymentMethod(account, "pm_three"), nullptr);
}

TEST(CardChangesTest, APaidItemIsALiveOneThatCostsMoney) {
  EXPECT_FALSE(HasPaidItem(Payer(ItemStatus::kActive, 0)));
  EXPECT_TRUE(HasPaidItem(Payer(ItemStatus::kActive, 2000)));
  EXPECT_TRUE(HasPaidItem(Payer(ItemStatus::kPastDue, 2000)));
  EXPECT_TRUE(HasPaidItem(Payer(ItemStatus::kUpcoming, 2000)));
  EXPECT_FALSE(HasPaidItem(Payer(ItemStatus::kEnded, 2000)));
}

TEST(CardChangesTest, MakesASavedCardTheDefault) {
  Account account = Payer(ItemStatus::kActive, 2000);
  ASSERT_TRUE(SetDefaultPaymentMethod(account, "cpm_2"));
  EXPECT_EQ(account.payer.default_payment_method_id, "cpm_2");
  auto unknown = SetDefaultPaymentMethod(account, "cpm_9");
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, "payment_method_not_found");
  EXPECT_EQ(account.payer.default_payment_method_id, "cpm_2");
}

TEST(CardChangesTest, RefusesToRemoveTheDefaultCardOfAPaidItem) {
  Account account = Payer(ItemStatus::kActive, 2000);
  auto refused = RemovePaymentMethod(account, "cpm_1");
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().kind, ErrorKind::kAlreadyExists);
  EXPECT_EQ(refused.error().code, "default_payment_method_in_use");
  EXPECT_EQ(account.payment_methods.size(), 2u);

  ASSERT_TRUE(RemovePaymentMethod(account, "cpm_2"));  // a spare one goes
  EXPECT_EQ(account.payment_methods.size(), 1u);
  EXPECT_EQ(account.payer.default_payment_method_id, "cpm_1");
}

TEST(CardChangesTest, ACardTheGatewayDetachedGoesEvenAsTheDefaultOfAPaidItem) {
  Account account = Payer(ItemStatus::kActive, 2000);
  ASSERT_TRUE(RemovePaymentMethod(account, "cpm_1", DefaultCardRule::kGatewayDetachedIt));
  EXPECT_FALSE(account.payer.default_payment_method_id);
  EXPECT_EQ(account.payment_methods.size(), 1u);
}

TEST(CardChangesTest, RemovesTheDefaultOnceAnotherIsTheDefault) {
  Account account = Payer(ItemStatus::kActive, 2000);
  ASSERT_TRUE(SetDefaultPaymentMethod(account, "cpm_2"));
  ASSERT_TRUE(RemovePaymentMethod(account, "cpm_1"));
  ASSERT_EQ(account.payment_methods.size(), 1u);
  EXPECT_EQ(account.payment_methods[0].id, "cpm_2");
}

TEST(CardChangesTest, RemovesTheDefaultOfAPayerWithoutAPaidItem) {
  Account account = Payer(ItemStatus::kActive, 0);
  ASSERT_TRUE(RemovePaymentMethod(account, "cpm_1"));
  EXPECT_FALSE(account.payer.default_payment_method_id);
  auto unknown = RemovePaymentMethod(account, "cpm_1");
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, "payment_method_not_found");
}

TEST(CardChangesTest, KeepsAndForgetsTheGatewayCustomer) {
  Account account = Payer(ItemStatus::kActive, 0);
  ASSERT_TRUE(KeepGatewayCustomer(account, "cus_1"));
  EXPECT_EQ(account.payer.gateway_customer_id, "cus_1");
  ASSERT_TRUE(KeepGatewayCustomer(account, ""));
  EXPECT_FALSE(account.payer.gateway_customer_id);
}

}  // namespace
}  // namespace recur::card_changes_test
