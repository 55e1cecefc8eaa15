#include "domain/subscriptions/account.h"

#include <algorithm>

#include "base/enum_names.h"
#include "base/find_by_id.h"

namespace recur {

std::string_view ItemStatusName(ItemStatus status) {
  switch (status) {
    case ItemStatus::kActive:
      return "active";
    case ItemStatus::kUpcoming:
      return "upcoming";
    case ItemStatus::kCanceled:
      return "canceled";
    case ItemStatus::kPastDue:
      return "past_due";
    case ItemStatus::kEnded:
      return "ended";
    case ItemStatus::kAbandoned:
      return "abandoned";
    case ItemStatus::kIncomplete:
      return "incomplete";
  }
  return "";
}

std::optional<ItemStatus> ParseItemStatus(std::string_view name) {
  return ParseEnumName<ItemStatus>(name, ItemStatusName);
}

std::string_view IntervalName(BillingInterval interval) {
  switch (interval) {
    case BillingInterval::kMonth:
      return "month";
    case BillingInterval::kAnnual:
      return "annual";
  }
  return "";
}

std::optional<BillingInterval> ParseInterval(std::string_view name) {
  return ParseEnumName<BillingInterval>(name, IntervalName);
}

std::string_view ChargeTypeName(ChargeType type) {
  switch (type) {
    case ChargeType::kCheckout:
      return "checkout";
    case ChargeType::kRecurring:
      return "recurring";
  }
  return "";
}

std::string_view AttemptStatusName(AttemptStatus status) {
  switch (status) {
    case AttemptStatus::kPending:
      return "pending";
    case AttemptStatus::kPaid:
      return "paid";
    case AttemptStatus::kFailed:
      return "failed";
  }
  return "";
}

std::optional<AttemptStatus> ParseAttemptStatus(std::string_view name) {
  return ParseEnumName<AttemptStatus>(name, AttemptStatusName);
}

std::string_view ChargePurposeName(ChargePurpose purpose) {
  switch (purpose) {
    case ChargePurpose::kCheckout:
      return "checkout";
    case ChargePurpose::kTrialConversion:
      return "trial_conversion";
    case ChargePurpose::kRenewal:
      return "renewal";
    case ChargePurpose::kDunningRetry:
      return "dunning_retry";
  }
  return "";
}

std::optional<ChargePurpose> ParseChargePurpose(std::string_view name) {
  return ParseEnumName<ChargePurpose>(name, ChargePurposeName);
}

ChargeType ChargeTypeOf(ChargePurpose purpose) {
  switch (purpose) {
    case ChargePurpose::kCheckout:
      return ChargeType::kCheckout;
    case ChargePurpose::kTrialConversion:
    case ChargePurpose::kRenewal:
    case ChargePurpose::kDunningRetry:
      return ChargeType::kRecurring;
  }
  return ChargeType::kRecurring;
}

SubscriptionItem* Account::FindItem(std::string_view id) { return FindById(items, id); }
const SubscriptionItem* Account::FindItem(std::string_view id) const { return FindById(items, id); }
PaymentAttempt* Account::FindAttempt(std::string_view id) { return FindById(attempts, id); }

const PaymentMethod* Account::DefaultPaymentMethod() const {
  if (!payer.default_payment_method_id) return nullptr;
  return FindById(payment_methods, *payer.default_payment_method_id);
}

SubscriptionItem* Account::CurrentItem() {
  return const_cast<SubscriptionItem*>(std::as_const(*this).CurrentItem());
}
const SubscriptionItem* Account::CurrentItem() const {
  auto it = std::find_if(items.begin(), items.end(),
                         [](const SubscriptionItem& item) { return IsCurrentStatus(item.status); });
  return it == items.end() ? nullptr : &*it;
}

SubscriptionItem* Account::UpcomingItem() {
  return const_cast<SubscriptionItem*>(std::as_const(*this).UpcomingItem());
}
const SubscriptionItem* Account::UpcomingItem() const {
  auto it = std::find_if(items.begin(), items.end(), [](const SubscriptionItem& item) {
    return item.status == ItemStatus::kUpcoming;
  });
  return it == items.end() ? nullptr : &*it;
}

bool Account::HasPendingCheckout() const {
  return std::any_of(attempts.begin(), attempts.end(), [](const PaymentAttempt& attempt) {
    return attempt.status == AttemptStatus::kPending && attempt.purpose == ChargePurpose::kCheckout;
  });
}

std::string_view SubscriptionStatusName(const Account& account) {
  const SubscriptionItem* current = account.CurrentItem();
  return current != nullptr && current->status == ItemStatus::kPastDue ? "past_due" : "active";
}

}  // namespace recur
