#include "http/clerk/clerk_shapes.h"

#include <utility>
#include <vector>

#include "domain/events/plan_json.h"

namespace recur {
namespace {

using nlohmann::json;

json MoneyOrNull(std::optional<std::int64_t> amount, std::string_view currency) {
  return amount ? MoneyJson(*amount, currency) : json(nullptr);
}

json ClerkFeatureJson(const PlanFeature& feature) {
  return {{"object", "feature"},
          {"id", feature.slug},
          {"slug", feature.slug},
          {"name", feature.name},
          {"description", feature.description},
          {"avatar_url", nullptr}};
}

// The plan of `item` at the price version it bought, or null when the catalog lacks it.
json ItemPlan(const SubscriptionItem& item, const Catalog& catalog) {
  const PlanVersion* price = catalog.FindVersion(item.plan_version_id);
  const CatalogPlan* plan = catalog.FindPlan(price != nullptr ? price->plan_slug : item.plan_slug);
  if (price == nullptr || plan == nullptr) return nullptr;
  return ClerkPlanJson(*plan, *price);
}

// The earlier of two next payments ({amount, date} or null).
json Sooner(json a, json b) {
  if (a.is_null()) return b;
  if (b.is_null()) return a;
  return b["date"].get<std::int64_t>() < a["date"].get<std::int64_t>() ? b : a;
}

}  // namespace

json ClerkPlanJson(const CatalogPlan& plan, const PlanVersion& price) {
  const PlanDefinition& definition = plan.definition;
  // The flat amounts Clerk also gives on a plan (amount, amount_formatted, annual_amount, ...,
  // currency, currency_symbol, period, interval) are Recur's plan JSON's (plan_json.h).
  json out = PlanJson(plan, price);
  for (const char* recur_only :
       {"version", "payer_type", "archived", "free_trial_requires_payment_method"}) {
    out.erase(recur_only);
  }
  json features = json::array();
  for (const PlanFeature& feature : definition.features) {
    features.push_back(ClerkFeatureJson(feature));
  }
  out["object"] = "commerce_plan";
  out["product_id"] = nullptr;
  out["avatar_url"] = nullptr;
  out["has_base_fee"] = price.amount > 0;
  out["for_payer_type"] = PayerTypeName(definition.payer_type);
  out["fee"] = MoneyJson(price.amount, price.currency);
  out["annual_fee"] = MoneyOrNull(price.annual_amount, price.currency);
  out["annual_monthly_fee"] = MoneyOrNull(AnnualMonthlyAmount(price.annual_amount), price.currency);
  out["free_trial_days"] = definition.HasTrial() ? json(definition.free_trial_days) : json(nullptr);
  out["features"] = std::move(features);
  return out;
}

json ClerkNextPayment(const SubscriptionItem& item) {
  if (item.amount <= 0) return nullptr;
  if (item.status == ItemStatus::kActive && item.period_end) {
    return {{"amount", MoneyJson(item.amount, item.currency)},
            {"date", ToUnixMillis(*item.period_end)}};
  }
  if (item.status == ItemStatus::kUpcoming) {
    return {{"amount", MoneyJson(item.amount, item.currency)},
            {"date", ToUnixMillis(item.period_start)}};
  }
  return nullptr;
}

json ClerkSubscriptionItemJson(const SubscriptionItem& item, const RenderContext& context) {
  // The values of Recur's own rendering (billing_json.h), in Clerk's object.
  json out = SubscriptionItemJson(item, context);
  for (const char* recur_only : {"payer", "subscription_id", "interval"}) out.erase(recur_only);
  out["object"] = "commerce_subscription_item";
  out["instance_id"] = context.instance_id;
  out["plan"] = ItemPlan(item, context.catalog);
  out["price_id"] = item.plan_version_id;
  out["next_payment"] = ClerkNextPayment(item);
  out["lifetime_paid"] = nullptr;
  out["seats"] = nullptr;
  return out;
}

json ClerkSubscriptionJson(const Account& account, const Catalog& catalog,
                           std::string_view instance_id, bool stored) {
  std::vector<SubscriptionItem> live;
  for (const SubscriptionItem& item : account.items) {
    if (IsLiveStatus(item.status)) live.push_back(item);
  }
  const RenderContext render{catalog, account.payer, account.payment_methods, instance_id};
  json out = SubscriptionJson(live, render, SubscriptionStatusName(account));
  for (const char* recur_only :
       {"payer", "payment_source_id", "latest_payment_id", "canceled_at", "ended_at", "items"}) {
    out.erase(recur_only);
  }
  json items = json::array();
  json next_payment = nullptr;
  for (const SubscriptionItem& item : live) {
    json rendered = ClerkSubscriptionItemJson(item, render);
    next_payment = Sooner(next_payment, rendered["next_payment"]);
    if (!stored) rendered["id"] = nullptr;
    if (!stored) rendered["payer_id"] = nullptr;
    items.push_back(std::move(rendered));
  }
  out["instance_id"] = instance_id;
  out["subscription_items"] = std::move(items);
  out["next_payment"] = std::move(next_payment);
  out["eligible_for_free_trial"] = EligibleForFreeTrial(account.payer);
  if (!stored) {
    out["id"] = nullptr;
    out["payer_id"] = nullptr;
  }
  return out;
}

json ClerkListJson(json data, std::size_t total_count) {
  return {{"data", std::move(data)}, {"total_count", total_count}};
}

}  // namespace recur
