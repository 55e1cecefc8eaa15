#include "domain/subscriptions/billing_event.h"

#include <array>

namespace recur {
namespace {

constexpr std::array<std::string_view, kEventTypeCount> kNames = {
    "subscription.created",
    "subscription.updated",
    "subscription.active",
    "subscription.pastDue",
    "subscriptionItem.active",
    "subscriptionItem.updated",
    "subscriptionItem.canceled",
    "subscriptionItem.upcoming",
    "subscriptionItem.ended",
    "subscriptionItem.abandoned",
    "subscriptionItem.incomplete",
    "subscriptionItem.pastDue",
    "subscriptionItem.freeTrialEnding",
    "paymentAttempt.created",
    "paymentAttempt.updated",
};

}  // namespace

std::string_view EventTypeName(EventType type) { return kNames[static_cast<std::size_t>(type)]; }

std::optional<EventType> ParseEventType(std::string_view name) {
  for (std::size_t i = 0; i < kNames.size(); ++i) {
    if (kNames[i] == name) return static_cast<EventType>(i);
  }
  return std::nullopt;
}

bool IsSubscriptionEvent(EventType type) { return type <= EventType::kSubscriptionPastDue; }
bool IsItemEvent(EventType type) {
  return type >= EventType::kItemActive && type <= EventType::kItemFreeTrialEnding;
}
bool IsPaymentAttemptEvent(EventType type) { return type >= EventType::kPaymentAttemptCreated; }

}  // namespace recur
