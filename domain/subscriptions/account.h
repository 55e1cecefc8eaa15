// A payer's billing state: the payer, its payment methods, its subscription items and its
// payment attempts. This is the unit of consistency: every transition (lifecycle.h) reads one
// Account and changes it as a whole, and the store writes the change in one transaction.
// Plain values; the rules live in lifecycle.h.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "domain/catalog/plan.h"
#include "domain/period/billing_period.h"

namespace recur {

enum class ItemStatus { kActive, kUpcoming, kCanceled, kPastDue, kEnded, kAbandoned, kIncomplete };
std::string_view ItemStatusName(ItemStatus status);  // "" for a number that is no status
std::optional<ItemStatus> ParseItemStatus(std::string_view name);

// Whether an item in this status holds the plan the payer has now: active, past due, or
// canceled but not yet ended. A payer has exactly one such item (its "current" item).
constexpr bool IsCurrentStatus(ItemStatus status) {
  switch (status) {
    case ItemStatus::kActive:
    case ItemStatus::kPastDue:
    case ItemStatus::kCanceled:
      return true;
    case ItemStatus::kUpcoming:
    case ItemStatus::kEnded:
    case ItemStatus::kAbandoned:
    case ItemStatus::kIncomplete:
      return false;
  }
  return false;
}

// Whether an item in this status belongs to the subscription as it stands ("live"): the
// current item and the upcoming one. Ended, abandoned and incomplete items are history.
constexpr bool IsLiveStatus(ItemStatus status) {
  return IsCurrentStatus(status) || status == ItemStatus::kUpcoming;
}

std::string_view IntervalName(BillingInterval interval);  // "month" | "annual"
std::optional<BillingInterval> ParseInterval(std::string_view name);

struct PaymentMethod {
  std::string id;     // cpm_...
  std::string token;  // the gateway's token
  std::string brand;
  std::string last4;
  int exp_month = 0;
  int exp_year = 0;
  Instant created_at;
  friend bool operator==(const PaymentMethod&, const PaymentMethod&) = default;
};

struct Payer {
  std::string id;  // cpayer_...
  std::string external_id;
  PayerType type = PayerType::kUser;
  std::string email;
  std::string name;
  std::string image_url;  // https://...; "" when none was given
  std::optional<std::string> test_clock_id;
  std::string subscription_id;  // csub_...: one subscription per payer, made with the payer
  bool trial_used = false;      // a free trial was started once (whatever became of it)
  bool has_paid = false;        // a charge succeeded once
  std::optional<std::string> default_payment_method_id;
  // The payer's customer at the payment gateway, once made (PaymentGateway::EnsureCustomer).
  std::optional<std::string> gateway_customer_id;
  Instant created_at;
  std::int64_t version = 0;  // bumped by every stored transition (optimistic concurrency)
  friend bool operator==(const Payer&, const Payer&) = default;
};

// Whether the payer may still have a free trial: it never started one nor paid. (A plan must
// also offer one, and a trial starts only from the default plan: lifecycle.h.)
constexpr bool EligibleForFreeTrial(const Payer& payer) {
  return !payer.trial_used && !payer.has_paid;
}

struct SubscriptionItem {
  std::string id;  // csub_item_...
  std::string plan_slug;
  std::string plan_version_id;  // the price bought (cplan_...)
  BillingInterval interval = BillingInterval::kMonth;
  ItemStatus status = ItemStatus::kActive;
  bool is_free_trial = false;
  std::int64_t amount = 0;  // price of one period at this interval, minor units
  std::string currency;
  Instant created_at;
  // Paid periods follow PeriodBoundary(anchor, interval, n). A free item has no period end.
  Instant anchor;
  Instant period_start;
  std::optional<Instant> period_end;
  std::optional<Instant> trial_end;
  std::optional<Instant> canceled_at;
  std::optional<Instant> ended_at;
  std::optional<Instant> past_due_at;
  int dunning_retries = 0;  // failed retries since the item went past due
  friend bool operator==(const SubscriptionItem&, const SubscriptionItem&) = default;
};

enum class ChargeType { kCheckout, kRecurring };
enum class AttemptStatus { kPending, kPaid, kFailed };
std::string_view ChargeTypeName(ChargeType type);
std::string_view AttemptStatusName(AttemptStatus status);

// Why a charge is made, which decides what its outcome does.
enum class ChargePurpose {
  kCheckout,         // first period of a new paid item (subscribe, upgrade, switch in a trial)
  kTrialConversion,  // the first paid period at a trial's end
  kRenewal,          // the next period at period end
  kDunningRetry,     // a past-due period, again
};

struct PaymentAttempt {
  std::string id;  // cpay_...
  std::string item_id;
  ChargePurpose purpose = ChargePurpose::kCheckout;
  AttemptStatus status = AttemptStatus::kPending;
  std::int64_t amount = 0;  // what is charged: the period's price less any proration credit
  std::string currency;
  std::int64_t proration_credit = 0;  // credit for the unused part of the replaced item
  // The replaced item's period that credit is for (none without a credit): with created_at,
  // the instant of the change, it gives the cycle figures of Clerk's proration credit.
  std::optional<Instant> credited_period_start;
  std::optional<Instant> credited_period_end;
  std::string payment_method_id;
  // The period paid for; with the item id it makes the gateway idempotency key, so one period
  // is never charged twice.
  Instant period_start;
  Instant period_end;
  std::string idempotency_key;
  // The statement of the payer's billing cycle it belongs to (statement.h's StatementIdOf of
  // the payer, period_start and currency), given when the attempt is made.
  std::string statement_id;
  std::string gateway_charge_id;
  std::string failed_code;    // the gateway's machine code, e.g. "insufficient_funds"
  std::string failed_reason;  // for people
  Instant created_at;
  Instant updated_at;
  std::optional<Instant> paid_at;
  std::optional<Instant> failed_at;
  friend bool operator==(const PaymentAttempt&, const PaymentAttempt&) = default;
};

ChargeType ChargeTypeOf(ChargePurpose purpose);
std::string_view ChargePurposeName(ChargePurpose purpose);
std::optional<ChargePurpose> ParseChargePurpose(std::string_view name);
std::optional<AttemptStatus> ParseAttemptStatus(std::string_view name);

struct Account {
  Payer payer;
  std::vector<PaymentMethod> payment_methods;
  std::vector<SubscriptionItem> items;   // all items the payer ever had, oldest first
  std::vector<PaymentAttempt> attempts;  // the attempts a transition may still touch
  friend bool operator==(const Account&, const Account&) = default;

  SubscriptionItem* FindItem(std::string_view id);
  const SubscriptionItem* FindItem(std::string_view id) const;
  PaymentAttempt* FindAttempt(std::string_view id);
  const PaymentMethod* DefaultPaymentMethod() const;
  // The item whose plan the payer has now: active, past due, or canceled but not yet ended.
  // There is always exactly one once the payer exists.
  SubscriptionItem* CurrentItem();
  const SubscriptionItem* CurrentItem() const;
  SubscriptionItem* UpcomingItem();
  const SubscriptionItem* UpcomingItem() const;
  // Whether a checkout (a plan change charged now) waits for the gateway's answer. Its outcome
  // decides what the payer's other changes and due work must do, so they wait for it.
  bool HasPendingCheckout() const;
};

// "active" or "past_due": the subscription follows its current item.
std::string_view SubscriptionStatusName(const Account& account);

}  // namespace recur
