// What the lifecycle says happened, in Clerk Billing's vocabulary. Each event carries a
// snapshot of its subject taken at the moment of the change, so two changes to one item in one
// transition keep their own states. Rendering to Clerk's JSON payloads is the adapter's job
// (domain/events/).
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "domain/subscriptions/account.h"

namespace recur {

enum class EventType {
  kSubscriptionCreated,
  kSubscriptionUpdated,
  kSubscriptionActive,
  kSubscriptionPastDue,
  kItemActive,
  kItemUpdated,
  kItemCanceled,
  kItemUpcoming,
  kItemEnded,
  kItemAbandoned,
  kItemIncomplete,
  kItemPastDue,
  kItemFreeTrialEnding,
  kPaymentAttemptCreated,
  kPaymentAttemptUpdated,
};

// Clerk's type name, e.g. "subscriptionItem.freeTrialEnding".
std::string_view EventTypeName(EventType type);
std::optional<EventType> ParseEventType(std::string_view name);
inline constexpr int kEventTypeCount = 15;

struct BillingEvent {
  EventType type;
  Instant occurred_at;
  std::optional<SubscriptionItem> item;        // subscriptionItem.* events
  std::optional<PaymentAttempt> attempt;       // paymentAttempt.* events
  std::vector<SubscriptionItem> subscription;  // subscription.* events: the live items
};

// Which subject an event type carries.
bool IsSubscriptionEvent(EventType type);
bool IsItemEvent(EventType type);
bool IsPaymentAttemptEvent(EventType type);

}  // namespace recur
