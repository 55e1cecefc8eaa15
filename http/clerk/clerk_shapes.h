// Recur's plans and subscriptions in the shapes of Clerk's Backend API (Clerk's published
// specification, bapi: CommercePlan, CommerceSubscription, CommerceSubscriptionItem), which
// @clerk/backend turns into its BillingPlan, BillingSubscription and BillingSubscriptionItem.
// The SDK builds those classes only for these `object` values: "commerce_plan",
// "commerce_subscription", "commerce_subscription_item".
// - Money is Clerk's fee object {amount, amount_formatted, currency, currency_symbol}
//   (MoneyJson); a plan has fee (monthly), annual_fee and annual_monthly_fee (null without an
//   annual price).
// - Timestamps are Unix milliseconds, as in Recur's own API and in Clerk's.
// - What Recur does not have is null: a plan's product_id and avatar_url, a feature's
//   avatar_url, an item's seats and lifetime_paid. A feature's id is its slug (Recur's
//   features have no other id); its limit is not in Clerk's shape (entitlements carry it).
// - An item's values are those Recur's own API and webhooks give (billing_json.h), plus
//   next_payment (ClerkNextPayment); trial_end is kept beside Clerk's fields.
// Pure functions of their arguments.
#pragma once

#include <cstddef>
#include <optional>

#include <nlohmann/json.hpp>

#include "domain/catalog/catalog.h"
#include "domain/events/billing_json.h"
#include "domain/subscriptions/account.h"

namespace recur {

// Clerk's CommercePlan for `plan` at the price `price`.
nlohmann::json ClerkPlanJson(const CatalogPlan& plan, const PlanVersion& price);

// The payment an item will ask for next, as Clerk's {amount, date}: an active item that is not
// free is charged its price per period at its period's end (a trial's end, during a trial); an
// upcoming one that is not free when its period starts. None for the others (canceled, past
// due, ended, free): nothing is scheduled to be charged.
nlohmann::json ClerkNextPayment(const SubscriptionItem& item);

// Clerk's CommerceSubscriptionItem for `item`, its plan at the price version it bought (null
// when the catalog lacks it).
nlohmann::json ClerkSubscriptionItemJson(const SubscriptionItem& item,
                                         const RenderContext& context);

// Clerk's CommerceSubscription of `account`: its live items (the current one and an upcoming
// one), its status, the soonest next payment of its items (null when none) and whether the payer
// may still have a free trial. A preview (`stored` false: PreviewNewPayer, a payer not yet
// made) has null ids, since nothing of it exists.
nlohmann::json ClerkSubscriptionJson(const Account& account, const Catalog& catalog,
                                     std::string_view instance_id, bool stored = true);

// A page of a list as Clerk answers it: {"data": data, "total_count": total_count}.
nlohmann::json ClerkListJson(nlohmann::json data, std::size_t total_count);

}  // namespace recur
