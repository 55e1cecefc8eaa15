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

// Which subject an event carries, and so which Clerk payload its `data` is.
enum class EventSubject {
  kSubscription,    // subscription.*: the payer's live items
  kItem,            // subscriptionItem.*: one item
  kPaymentAttempt,  // paymentAttempt.*: one attempt
};

struct EventTypeInfo {
  std::string_view name;  // Clerk's type name, e.g. "subscriptionItem.freeTrialEnding"
  EventSubject subject;
};

// The one table of event types. The switch names every type (a type left out does not
// compile, -Wswitch), and the checks below hold each name to its subject's prefix.
constexpr EventTypeInfo DescribeEventType(EventType type) {
  using enum EventSubject;
  switch (type) {
    case EventType::kSubscriptionCreated:
      return {"subscription.created", kSubscription};
    case EventType::kSubscriptionUpdated:
      return {"subscription.updated", kSubscription};
    case EventType::kSubscriptionActive:
      return {"subscription.active", kSubscription};
    case EventType::kSubscriptionPastDue:
      return {"subscription.pastDue", kSubscription};
    case EventType::kItemActive:
      return {"subscriptionItem.active", kItem};
    case EventType::kItemUpdated:
      return {"subscriptionItem.updated", kItem};
    case EventType::kItemCanceled:
      return {"subscriptionItem.canceled", kItem};
    case EventType::kItemUpcoming:
      return {"subscriptionItem.upcoming", kItem};
    case EventType::kItemEnded:
      return {"subscriptionItem.ended", kItem};
    case EventType::kItemAbandoned:
      return {"subscriptionItem.abandoned", kItem};
    case EventType::kItemIncomplete:
      return {"subscriptionItem.incomplete", kItem};
    case EventType::kItemPastDue:
      return {"subscriptionItem.pastDue", kItem};
    case EventType::kItemFreeTrialEnding:
      return {"subscriptionItem.freeTrialEnding", kItem};
    case EventType::kPaymentAttemptCreated:
      return {"paymentAttempt.created", kPaymentAttempt};
    case EventType::kPaymentAttemptUpdated:
      return {"paymentAttempt.updated", kPaymentAttempt};
  }
  return {};  // past the last type: how kEventTypeCount finds the end
}

// How many event types there are; EventType's values are 0 to kEventTypeCount - 1.
inline constexpr int kEventTypeCount = [] {
  int count = 0;
  while (!DescribeEventType(static_cast<EventType>(count)).name.empty()) ++count;
  return count;
}();

namespace event_type_table {
constexpr std::string_view PrefixOf(EventSubject subject) {
  switch (subject) {
    case EventSubject::kSubscription:
      return "subscription.";
    case EventSubject::kItem:
      return "subscriptionItem.";
    case EventSubject::kPaymentAttempt:
      return "paymentAttempt.";
  }
  return "";
}
constexpr bool EveryNameHasItsSubjectsPrefix() {
  for (int i = 0; i < kEventTypeCount; ++i) {
    const EventTypeInfo info = DescribeEventType(static_cast<EventType>(i));
    if (!info.name.starts_with(PrefixOf(info.subject))) return false;
  }
  return true;
}
}  // namespace event_type_table
static_assert(event_type_table::EveryNameHasItsSubjectsPrefix(),
              "an event type's name must start with its subject's prefix");

// Clerk's type name, e.g. "subscriptionItem.freeTrialEnding".
constexpr std::string_view EventTypeName(EventType type) { return DescribeEventType(type).name; }
std::optional<EventType> ParseEventType(std::string_view name);

constexpr EventSubject SubjectOf(EventType type) { return DescribeEventType(type).subject; }
constexpr bool IsSubscriptionEvent(EventType type) {
  return SubjectOf(type) == EventSubject::kSubscription;
}
constexpr bool IsItemEvent(EventType type) { return SubjectOf(type) == EventSubject::kItem; }
constexpr bool IsPaymentAttemptEvent(EventType type) {
  return SubjectOf(type) == EventSubject::kPaymentAttempt;
}

struct BillingEvent {
  EventType type;
  Instant occurred_at;
  std::optional<SubscriptionItem> item;        // subscriptionItem.* events
  std::optional<PaymentAttempt> attempt;       // paymentAttempt.* events
  std::vector<SubscriptionItem> subscription;  // subscription.* events: the live items
};

}  // namespace recur
