#include "domain/events/billing_json.h"

#include <algorithm>

namespace recur {
namespace {

using nlohmann::json;

std::string_view SubscriptionStatusOf(const std::vector<SubscriptionItem>& items) {
  const bool past_due = std::any_of(items.begin(), items.end(), [](const SubscriptionItem& item) {
    return item.status == ItemStatus::kPastDue;
  });
  return past_due ? "past_due" : "active";
}

const SubscriptionItem* FindItem(const std::vector<SubscriptionItem>& items, std::string_view id) {
  auto it = std::find_if(items.begin(), items.end(),
                         [&](const SubscriptionItem& item) { return item.id == id; });
  return it == items.end() ? nullptr : &*it;
}

// The payload of one event. Subscription and item events are emitted as their subject
// changes, so its updated_at is the event's instant; a trial-ending notice changes nothing.
json EventData(const BillingEvent& event, const RenderContext& context,
               const std::vector<SubscriptionItem>& items_for_attempts) {
  const json changed_at = ToUnixMillis(event.occurred_at);
  if (IsSubscriptionEvent(event.type)) {
    json data =
        SubscriptionJson(event.subscription, context, SubscriptionStatusOf(event.subscription));
    data["updated_at"] = changed_at;
    return data;
  }
  if (IsItemEvent(event.type)) {
    if (!event.item) return nullptr;
    json data = SubscriptionItemJson(*event.item, context);
    data["object"] = "commerce_subscription_item";  // Clerk's schema's value (billing_json.h)
    if (event.type != EventType::kItemFreeTrialEnding) data["updated_at"] = changed_at;
    return data;
  }
  if (!event.attempt) return nullptr;
  return PaymentAttemptJson(*event.attempt, context,
                            FindItem(items_for_attempts, event.attempt->item_id));
}

}  // namespace

json EventEnvelope(const BillingEvent& event, const RenderContext& context,
                   const std::vector<SubscriptionItem>& items_for_attempts) {
  return {{"data", EventData(event, context, items_for_attempts)},
          {"object", "event"},
          {"type", EventTypeName(event.type)},
          {"timestamp", ToUnixMillis(event.occurred_at)},
          {"instance_id", context.instance_id},
          {"event_attributes", {{"http_request", {{"client_ip", ""}, {"user_agent", ""}}}}}};
}

}  // namespace recur
