// Clerk's shapes (clerk_shapes.h): the fields Clerk's Backend API specification requires of
// CommercePlan, CommerceSubscription and CommerceSubscriptionItem are there, with Recur's values
// in Clerk's units, and what Recur lacks is null.
#include "http/clerk/clerk_shapes.h"

#include <gtest/gtest.h>

#include <array>
#include <string_view>

namespace recur::clerk_shapes_test {
namespace {

using nlohmann::json;

// Required by Clerk's specification (bapi/2026-05-12.yml, components/schemas).
constexpr std::array<std::string_view, 16> kPlanFields = {"object",
                                                          "id",
                                                          "name",
                                                          "fee",
                                                          "annual_fee",
                                                          "description",
                                                          "product_id",
                                                          "is_default",
                                                          "is_recurring",
                                                          "publicly_visible",
                                                          "has_base_fee",
                                                          "for_payer_type",
                                                          "slug",
                                                          "avatar_url",
                                                          "free_trial_enabled",
                                                          "free_trial_days"};
constexpr std::array<std::string_view, 13> kItemFields = {
    "object",      "id",          "instance_id",   "status",       "plan_id",
    "plan_period", "payer_id",    "is_free_trial", "period_start", "period_end",
    "canceled_at", "past_due_at", "ended_at"};
constexpr std::array<std::string_view, 10> kSubscriptionFields = {
    "object",     "id",         "instance_id", "status",      "payer_id",
    "created_at", "updated_at", "active_at",   "past_due_at", "subscription_items"};
constexpr std::array<std::string_view, 4> kMoneyFields = {"amount", "amount_formatted", "currency",
                                                          "currency_symbol"};

template <std::size_t N>
void ExpectFields(const json& object, const std::array<std::string_view, N>& fields) {
  ASSERT_TRUE(object.is_object()) << object.dump();
  for (std::string_view field : fields) {
    EXPECT_TRUE(object.contains(field)) << "lacks \"" << field << "\": " << object.dump();
  }
}

const Instant kCreated = FromUnixMillis(1714521600000);  // 2024-05-01
const Instant kStart = FromUnixMillis(1716883200000);    // 2024-05-28 08:00
const Instant kEnd = FromUnixMillis(1718092800000);      // 2024-06-11 08:00
constexpr std::string_view kInstance = "ins_test";

CatalogPlan Plan(std::string slug, PayerType type, std::int64_t amount,
                 std::optional<std::int64_t> annual, std::string version, bool is_default,
                 int trial_days) {
  CatalogPlan plan;
  plan.definition.slug = slug;
  plan.definition.name = slug + " plan";
  plan.definition.description = "the " + slug + " plan";
  plan.definition.payer_type = type;
  plan.definition.is_default = is_default;
  plan.definition.amount = amount;
  plan.definition.annual_amount = annual;
  plan.definition.currency = "USD";
  plan.definition.free_trial_days = trial_days;
  plan.current_version_id = std::move(version);
  return plan;
}

Catalog MakeCatalog() {
  CatalogPlan pro = Plan("pro", PayerType::kUser, 2000, 20000, "cplan_pro", false, 14);
  pro.definition.features = {{"projects", "Projects", "How many", FeatureLimit::Limited(10)}};
  return Catalog({Plan("free", PayerType::kUser, 0, std::nullopt, "cplan_free", true, 0), pro},
                 {{"cplan_free", "free", 1, 0, std::nullopt, "USD", kCreated},
                  {"cplan_pro", "pro", 1, 2000, 20000, "USD", kCreated}});
}

Account ProTrialAccount() {
  Account account;
  account.payer.id = "cpayer_1";
  account.payer.external_id = "user_1";
  account.payer.subscription_id = "csub_1";
  account.payer.created_at = kCreated;
  account.payer.trial_used = true;
  SubscriptionItem free;
  free.id = "csub_item_free";
  free.plan_slug = "free";
  free.plan_version_id = "cplan_free";
  free.status = ItemStatus::kEnded;
  free.currency = "USD";
  free.created_at = free.period_start = kCreated;
  free.ended_at = kStart;
  SubscriptionItem pro;
  pro.id = "csub_item_pro";
  pro.plan_slug = "pro";
  pro.plan_version_id = "cplan_pro";
  pro.is_free_trial = true;
  pro.amount = 2000;
  pro.currency = "USD";
  pro.created_at = pro.period_start = pro.anchor = kStart;
  pro.period_end = pro.trial_end = kEnd;
  account.items = {free, pro};
  return account;
}

TEST(ClerkShapes, APlanHasClerksFieldsAndFeeObjects) {
  const Catalog catalog = MakeCatalog();
  const CatalogPlan& pro = *catalog.FindPlan("pro");
  const json plan = ClerkPlanJson(pro, catalog.CurrentVersion(pro));
  ExpectFields(plan, kPlanFields);
  EXPECT_EQ(plan["object"], "commerce_plan");
  EXPECT_EQ(plan["id"], "cplan_pro");
  EXPECT_EQ(plan["slug"], "pro");
  EXPECT_EQ(plan["for_payer_type"], "user");
  EXPECT_EQ(plan["has_base_fee"], true);
  EXPECT_EQ(plan["is_recurring"], true);
  ExpectFields(plan["fee"], kMoneyFields);
  EXPECT_EQ(plan["fee"], json({{"amount", 2000},
                               {"amount_formatted", "$20.00"},
                               {"currency", "USD"},
                               {"currency_symbol", "$"}}));
  EXPECT_EQ(plan["annual_fee"]["amount"], 20000);
  EXPECT_EQ(plan["annual_monthly_fee"]["amount"], 1667);  // 20000 / 12, rounded half up
  EXPECT_EQ(plan["free_trial_enabled"], true);
  EXPECT_EQ(plan["free_trial_days"], 14);
  EXPECT_TRUE(plan["product_id"].is_null());
  EXPECT_TRUE(plan["avatar_url"].is_null());
  EXPECT_FALSE(plan.contains("payer_type"));  // Clerk's is another type; for_payer_type says it
  ASSERT_EQ(plan["features"].size(), 1u);
  EXPECT_EQ(plan["features"][0], json({{"object", "feature"},
                                       {"id", "projects"},
                                       {"slug", "projects"},
                                       {"name", "Projects"},
                                       {"description", "How many"},
                                       {"avatar_url", nullptr}}));
}

TEST(ClerkShapes, AFreePlanWithoutAnnualPriceOrTrialHasNulls) {
  const Catalog catalog = MakeCatalog();
  const CatalogPlan& free = *catalog.FindPlan("free");
  const json plan = ClerkPlanJson(free, catalog.CurrentVersion(free));
  EXPECT_EQ(plan["fee"]["amount"], 0);
  EXPECT_EQ(plan["has_base_fee"], false);
  EXPECT_EQ(plan["is_default"], true);
  EXPECT_TRUE(plan["annual_fee"].is_null());
  EXPECT_TRUE(plan["annual_monthly_fee"].is_null());
  EXPECT_EQ(plan["free_trial_enabled"], false);
  EXPECT_TRUE(plan["free_trial_days"].is_null());
}

TEST(ClerkShapes, ASubscriptionInATrialHasItsItemsNextPaymentAndEligibility) {
  const Catalog catalog = MakeCatalog();
  const json subscription = ClerkSubscriptionJson(ProTrialAccount(), catalog, kInstance);
  ExpectFields(subscription, kSubscriptionFields);
  EXPECT_EQ(subscription["object"], "commerce_subscription");
  EXPECT_EQ(subscription["id"], "csub_1");
  EXPECT_EQ(subscription["payer_id"], "cpayer_1");
  EXPECT_EQ(subscription["instance_id"], kInstance);
  EXPECT_EQ(subscription["status"], "active");
  EXPECT_EQ(subscription["eligible_for_free_trial"], false);
  EXPECT_FALSE(subscription.contains("items"));
  ASSERT_EQ(subscription["subscription_items"].size(), 1u);  // the ended free item is history
  const json& item = subscription["subscription_items"][0];
  ExpectFields(item, kItemFields);
  EXPECT_EQ(item["object"], "commerce_subscription_item");
  EXPECT_EQ(item["id"], "csub_item_pro");
  EXPECT_EQ(item["instance_id"], kInstance);
  EXPECT_EQ(item["plan_id"], "cplan_pro");
  EXPECT_EQ(item["price_id"], "cplan_pro");
  EXPECT_EQ(item["plan"]["object"], "commerce_plan");
  EXPECT_EQ(item["plan"]["slug"], "pro");
  EXPECT_EQ(item["plan_period"], "month");
  EXPECT_EQ(item["is_free_trial"], true);
  EXPECT_EQ(item["period_start"], ToUnixMillis(kStart));
  EXPECT_EQ(item["period_end"], ToUnixMillis(kEnd));
  EXPECT_EQ(item["trial_end"], ToUnixMillis(kEnd));
  EXPECT_EQ(item["amount"]["amount"], 2000);
  EXPECT_TRUE(item["seats"].is_null());
  EXPECT_TRUE(item["lifetime_paid"].is_null());
  const json next = {{"amount", MoneyJson(2000, "USD")}, {"date", ToUnixMillis(kEnd)}};
  EXPECT_EQ(item["next_payment"], next);  // the trial converts at its end
  EXPECT_EQ(subscription["next_payment"], next);
}

TEST(ClerkShapes, NothingIsDueOfACanceledOrFreeItem) {
  Account account = ProTrialAccount();
  SubscriptionItem& pro = account.items[1];
  pro.status = ItemStatus::kCanceled;
  pro.canceled_at = kStart;
  EXPECT_TRUE(ClerkNextPayment(pro).is_null());
  EXPECT_TRUE(ClerkSubscriptionJson(account, MakeCatalog(), kInstance)["next_payment"].is_null());
  EXPECT_TRUE(ClerkNextPayment(account.items[0]).is_null());  // free
  pro.status = ItemStatus::kUpcoming;  // a paid plan taking over later is charged when it does
  EXPECT_EQ(ClerkNextPayment(pro)["date"], ToUnixMillis(kStart));
}

TEST(ClerkShapes, APreviewHasNoIds) {
  Account account = ProTrialAccount();
  account.payer.trial_used = false;
  const json subscription = ClerkSubscriptionJson(account, MakeCatalog(), kInstance, false);
  EXPECT_TRUE(subscription["id"].is_null());
  EXPECT_TRUE(subscription["payer_id"].is_null());
  EXPECT_TRUE(subscription["subscription_items"][0]["id"].is_null());
  EXPECT_EQ(subscription["eligible_for_free_trial"], true);
}

TEST(ClerkShapes, AListIsDataAndTotalCount) {
  EXPECT_EQ(ClerkListJson(json::array({1, 2}), 5), json({{"data", {1, 2}}, {"total_count", 5}}));
}

}  // namespace
}  // namespace recur::clerk_shapes_test
