#include "domain/events/billing_json.h"

#include <algorithm>
#include <optional>
#include <string>
#include <utility>

#include "base/money.h"
#include "domain/events/plan_json.h"
#include "domain/events/plan_texts.h"
#include "domain/period/billing_period.h"

namespace recur {
namespace {

using nlohmann::json;

json Ms(Instant t) { return ToUnixMillis(t); }
json Ms(const std::optional<Instant>& t) { return t ? Ms(*t) : json(nullptr); }

std::string_view Trim(std::string_view s) {
  const auto first = s.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return {};
  return s.substr(first, s.find_last_not_of(" \t\r\n") - first + 1);
}

// "Ada King Lovelace" -> {"Ada", "King Lovelace"}; one word is a first name only.
std::pair<std::string, std::string> SplitName(std::string_view name) {
  name = Trim(name);
  const auto space = name.find_first_of(" \t");
  if (space == std::string_view::npos) return {std::string(name), ""};
  return {std::string(name.substr(0, space)), std::string(Trim(name.substr(space)))};
}

// The latest change the snapshot records. An upcoming (or abandoned upcoming) item's period
// has not started, so its start is not a change.
Instant LastChange(const SubscriptionItem& item) {
  Instant last = item.created_at;
  for (const std::optional<Instant>& t : {item.canceled_at, item.ended_at, item.past_due_at}) {
    if (t) last = std::max(last, *t);
  }
  if (item.status != ItemStatus::kUpcoming && item.status != ItemStatus::kAbandoned) {
    last = std::max(last, item.period_start);
  }
  return last;
}

// The plan at the price version the item bought, or null when the catalog lacks it.
json ItemPlan(const SubscriptionItem& item, const RenderContext& context) {
  if (context.plan_texts != nullptr && context.plan_texts->Find(item.plan_version_id) != nullptr) {
    return PlanPlaceholder(item.plan_version_id);
  }
  const Catalog& catalog = context.catalog;
  const PlanVersion* price = catalog.FindVersion(item.plan_version_id);
  const CatalogPlan* plan = catalog.FindPlan(price != nullptr ? price->plan_slug : item.plan_slug);
  if (price == nullptr || plan == nullptr) return nullptr;
  return PlanJson(*plan, *price);
}

// The fields every rendering of an item shares; callers add object, payer, subscription_id.
json ItemFields(const SubscriptionItem& item, const RenderContext& context) {
  return {
      {"id", item.id},
      {"status", ItemStatusName(item.status)},
      {"is_free_trial", item.is_free_trial},
      {"plan_id", item.plan_version_id},
      {"plan", ItemPlan(item, context)},
      {"interval", IntervalName(item.interval)},
      {"plan_period", IntervalName(item.interval)},
      {"amount", MoneyJson(item.amount, item.currency)},
      {"period_start", Ms(item.period_start)},
      {"period_end", Ms(item.period_end)},
      {"trial_end", Ms(item.trial_end)},
      {"canceled_at", Ms(item.canceled_at)},
      {"ended_at", Ms(item.ended_at)},
      {"past_due_at", Ms(item.past_due_at)},
      {"created_at", Ms(item.created_at)},
      {"updated_at", Ms(LastChange(item))},
      {"payer_id", context.payer.id},
  };
}

// An item inside a subscription: Clerk leaves out the payer and nulls subscription_id.
json NestedItemJson(const SubscriptionItem& item, const RenderContext& context) {
  json out = ItemFields(item, context);
  out["object"] = "commerce_subscription_item";
  out["subscription_id"] = nullptr;
  return out;
}

// Earliest past_due_at of the past-due items, null when none is past due.
json PastDueSince(const std::vector<SubscriptionItem>& items) {
  std::optional<Instant> since;
  for (const SubscriptionItem& item : items) {
    if (item.status != ItemStatus::kPastDue || !item.past_due_at) continue;
    if (!since || *item.past_due_at < *since) since = item.past_due_at;
  }
  return Ms(since);
}

// Clerk's BillingSubscriptionCredit: the credit for what was left of the replaced item's
// period when the attempt was made, in whole days (rounded down, as the credit is) and as a
// percentage. An attempt stored before Recur kept that period has null figures.
json ProrationCredit(const PaymentAttempt& attempt) {
  json credit = {{"amount", MoneyJson(attempt.proration_credit, attempt.currency)},
                 {"cycle_days_remaining", nullptr},
                 {"cycle_days_total", nullptr},
                 {"cycle_remaining_percent", nullptr}};
  if (!attempt.credited_period_start || !attempt.credited_period_end) return credit;
  const Period period{*attempt.credited_period_start, *attempt.credited_period_end};
  const RemainingFraction remaining = FractionRemaining(period, attempt.created_at);
  constexpr std::int64_t kMsPerDay = 86'400'000;
  credit["cycle_days_remaining"] = remaining.remaining_ms / kMsPerDay;
  credit["cycle_days_total"] = (remaining.total_ms + kMsPerDay - 1) / kMsPerDay;
  credit["cycle_remaining_percent"] = remaining.AsDouble() * 100.0;
  return credit;
}

// Clerk's BillingSubscriptionItem inside a payment attempt.
json AttemptItemJson(const SubscriptionItem& item, const PaymentAttempt& attempt,
                     const RenderContext& context) {
  json out = ItemFields(item, context);
  out["object"] = "commerce_subscription_item";
  out["subscription_id"] = context.payer.subscription_id;
  if (attempt.proration_credit > 0) {
    out["credit"] = ProrationCredit(attempt);
    out["credits"] = {{"proration", ProrationCredit(attempt)},
                      {"payer", nullptr},
                      {"total", MoneyJson(attempt.proration_credit, attempt.currency)}};
  } else {
    out["credits"] = nullptr;
  }
  return out;
}

// Clerk's BillingPaymentFailedReason: the gateway's decline code fills both codes, and its
// message for people is added.
json FailedReason(const PaymentAttempt& attempt) {
  if (attempt.status != AttemptStatus::kFailed) return nullptr;
  return {{"code", attempt.failed_code},
          {"decline_code", attempt.failed_code},
          {"message", attempt.failed_reason}};
}

// Clerk's BillingPaymentSource: the card charged, at the gateway that charged it. A method
// since removed from the payer is "disconnected" and only its id is known.
json PaymentSource(std::string_view method_id, const std::vector<PaymentMethod>& methods,
                   std::string_view gateway) {
  if (method_id.empty()) return nullptr;
  auto it = std::find_if(methods.begin(), methods.end(),
                         [&](const PaymentMethod& m) { return m.id == method_id; });
  const bool known = it != methods.end();
  return {{"id", method_id},
          {"gateway", gateway},
          {"gateway_external_id", known ? it->token : ""},
          {"gateway_external_account_id", nullptr},
          {"payment_method", "card"},
          {"status", known ? "active" : "disconnected"},
          {"card_type", known ? json(it->brand) : json(nullptr)},
          {"last4", known ? json(it->last4) : json(nullptr)}};
}

// Clerk's BillingPayee: who is paid, this installation (its instance id), with its account at
// the gateway. Recur does not ask the gateway for the account's id: gateway_external_id is "".
json Payee(const RenderContext& context) {
  return {{"id", context.instance_id},
          {"gateway_type", context.gateway},
          {"gateway_external_id", context.gateway_account_id},
          {"gateway_status", "active"}};
}

// Clerk's BillingTotals. No tax is charged, so the subtotal is the grand total: what is
// charged, after the proration credit.
json Totals(const PaymentAttempt& attempt) {
  return {{"subtotal", MoneyJson(attempt.amount, attempt.currency)},
          {"tax_total", MoneyJson(0, attempt.currency)},
          {"grand_total", MoneyJson(attempt.amount, attempt.currency)}};
}

}  // namespace

json MoneyJson(std::int64_t amount, std::string_view currency) {
  const Currency found = FindCurrency(currency).value_or(Currency{currency, 2, currency});
  return {{"amount", amount},
          {"amount_formatted", FormatMoney(amount, found)},
          {"currency", currency},
          {"currency_symbol", found.symbol}};
}

json PayerJson(const Payer& payer) {
  const bool is_user = payer.type == PayerType::kUser;
  const auto [first_name, last_name] =
      is_user ? SplitName(payer.name) : std::pair<std::string, std::string>{};
  return {{"object", "commerce_payer"},
          {"id", payer.id},
          {"user_id", is_user ? payer.external_id : ""},
          {"first_name", first_name},
          {"last_name", last_name},
          {"organization_id", is_user ? "" : payer.external_id},
          {"organization_name", is_user ? "" : std::string(Trim(payer.name))},
          {"email", payer.email},
          {"image_url", payer.image_url},
          {"created_at", Ms(payer.created_at)}};
}

json SubscriptionItemJson(const SubscriptionItem& item, const RenderContext& context) {
  json out = ItemFields(item, context);
  out["object"] = "subscription_item";
  out["payer"] = PayerJson(context.payer);
  out["subscription_id"] = context.payer.subscription_id;
  return out;
}

json SubscriptionJson(const std::vector<SubscriptionItem>& live_items, const RenderContext& context,
                      std::string_view status) {
  const Payer& payer = context.payer;
  json items = json::array();
  Instant updated_at = payer.created_at;
  for (const SubscriptionItem& item : live_items) {
    items.push_back(NestedItemJson(item, context));
    updated_at = std::max(updated_at, LastChange(item));
  }
  // The subscription is made, and active on the default plan, with the payer; it never ends
  // or is canceled as a whole (its items are).
  return {
      {"object", "commerce_subscription"},
      {"id", payer.subscription_id},
      {"status", status},
      {"active_at", Ms(payer.created_at)},
      {"canceled_at", nullptr},
      {"ended_at", nullptr},
      {"past_due_at", status == "past_due" ? PastDueSince(live_items) : json(nullptr)},
      {"created_at", Ms(payer.created_at)},
      {"updated_at", Ms(updated_at)},
      {"latest_payment_id", nullptr},
      {"payer_id", payer.id},
      {"payer", PayerJson(payer)},
      {"payment_source_id",
       payer.default_payment_method_id ? json(*payer.default_payment_method_id) : json(nullptr)},
      {"items", std::move(items)}};
}

json PaymentAttemptJson(const PaymentAttempt& attempt, const RenderContext& context,
                        const SubscriptionItem* item) {
  json items = json::array();
  if (item != nullptr) items.push_back(AttemptItemJson(*item, attempt, context));
  return {
      {"id", attempt.id},
      {"instance_id", context.instance_id},
      // We keep no payment record apart from its attempts: an attempt is its own payment.
      {"payment_id", attempt.id},
      {"invoice_id", ""},  // Recur makes no invoices (deprecated by Clerk for statements)
      {"statement_id", attempt.statement_id},
      {"gateway_external_id", attempt.gateway_charge_id},
      {"status", AttemptStatusName(attempt.status)},
      {"charge_type", ChargeTypeName(ChargeTypeOf(attempt.purpose))},
      {"created_at", Ms(attempt.created_at)},
      {"updated_at", Ms(attempt.updated_at)},
      {"paid_at", Ms(attempt.paid_at)},
      {"failed_at", Ms(attempt.failed_at)},
      {"failed_reason", FailedReason(attempt)},
      {"billing_date", Ms(attempt.period_start)},
      {"payee", Payee(context)},
      {"payer", PayerJson(context.payer)},
      {"payer_id", context.payer.id},
      {"payment_source",
       PaymentSource(attempt.payment_method_id, context.payment_methods, context.gateway)},
      {"totals", Totals(attempt)},
      {"subscription_items", std::move(items)},
      {"subscription_item_id", attempt.item_id},
      {"amount", MoneyJson(attempt.amount, attempt.currency)},
      {"currency", attempt.currency},
      {"proration_credit", MoneyJson(attempt.proration_credit, attempt.currency)},
      {"period_start", Ms(attempt.period_start)},
      {"period_end", Ms(attempt.period_end)},
  };
}

}  // namespace recur
