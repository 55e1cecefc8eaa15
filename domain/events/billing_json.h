// Renders the lifecycle's event snapshots (billing_event.h) as Clerk Billing webhook payloads.
// Contract, following Clerk's webhook reference:
// - MoneyJson is Clerk's BillingAmount; PayerJson its BillingPayerEventPayload.
// - SubscriptionItemJson is BillingSubscriptionItemEventPayload (a standalone item event: with
//   payer and subscription_id), with object "subscription_item" as Recur's API answers it; the
//   webhook's (EventEnvelope) is "commerce_subscription_item", the value Clerk's schema allows
//   (Clerk's examples show "subscription_item"; a handler checked against the schema accepts
//   only the former). Inside a subscription the items carry object
//   "commerce_subscription_item", subscription_id null and no payer, as Clerk sends them.
// - SubscriptionJson is SubscriptionEventPayload (object "commerce_subscription").
// - PaymentAttemptJson is PaymentAttemptEventPayload, its subscription_items Clerk's
//   BillingSubscriptionItem with the proration credit as BillingSubscriptionCredit(s).
// - EventEnvelope is WebhookEventPayload: {data, object "event", type, timestamp,
//   instance_id, event_attributes.http_request {client_ip, user_agent}}.
// Every timestamp is Unix milliseconds, the envelope's `timestamp` included. Every field Clerk
// requires is present, of the type Clerk's schema gives it: a string Recur has no value for is
// "" (a payer's image_url when none was given, an attempt's invoice_id, a gateway_external_id the
// gateway has not given yet), never a made-up value; the optional timestamps that have not happened
// are null. Beyond Clerk's fields we add our own where they help (trial_end, ended_at, amount,
// payer_id, an attempt's period_start/period_end). An item's updated_at is the latest change its
// snapshot records (created, canceled, ended, past due, its period started); the envelope of a
// change event stamps the event's instant. Pure functions of their arguments.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "domain/catalog/catalog.h"
#include "domain/subscriptions/account.h"
#include "domain/subscriptions/billing_event.h"

namespace recur {

class PlanTexts;

// Everything rendering needs besides the snapshot.
struct RenderContext {
  const Catalog& catalog;
  const Payer& payer;
  const std::vector<PaymentMethod>& payment_methods;
  std::string_view instance_id;  // "ins_..." of this Recur installation
  // When set, plans found there are rendered as placeholders for DumpWithPlans (plan_texts.h).
  const PlanTexts* plan_texts = nullptr;
  // The payment gateway charges go through ("sandbox" | "stripe"): an attempt's
  // payment_source.gateway and its payee.
  std::string_view gateway = "sandbox";
  // This installation's account at that gateway (Stripe's acct_...): the payee's
  // gateway_external_id; "" where there is none (the sandbox) or it is not known.
  std::string_view gateway_account_id;
};

// {amount, amount_formatted ("$20.00"), currency, currency_symbol}.
nlohmann::json MoneyJson(std::int64_t amount, std::string_view currency);

// id, user_id or organization_id (the external id, by payer type; the other ""), email,
// first_name/last_name (a user's name split at its first space) or organization_name,
// image_url (the one given at its creation, "" when none was), created_at.
nlohmann::json PayerJson(const Payer& payer);

// The item with its plan (PlanJson of the price version it bought), its interval, period,
// trial and status timestamps, its price per period (amount), the payer and subscription id.
nlohmann::json SubscriptionItemJson(const SubscriptionItem& item, const RenderContext& context);

// The payer's subscription (id payer.subscription_id) with its live items.
nlohmann::json SubscriptionJson(const std::vector<SubscriptionItem>& live_items,
                                const RenderContext& context, std::string_view status);

// The attempt with its statement, payer, payee (the installation's account at the gateway),
// payment source (the card it was charged to), totals (tax 0) and the item it pays for (none
// when `item` is null), the proration credit on that item with its cycle figures.
nlohmann::json PaymentAttemptJson(const PaymentAttempt& attempt, const RenderContext& context,
                                  const SubscriptionItem* item);

// The webhook body of one event. `data` by type: subscription.* the subscription of
// event.subscription (past_due when one of them is, else active); subscriptionItem.* the item;
// paymentAttempt.* the attempt, with its item looked up in `items_for_attempts` by id.
nlohmann::json EventEnvelope(const BillingEvent& event, const RenderContext& context,
                             const std::vector<SubscriptionItem>& items_for_attempts);

}  // namespace recur
