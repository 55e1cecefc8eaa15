#include <algorithm>

#include "store/webhook_delivery_store.h"
#include "store/webhook_endpoint_store.h"

namespace recur {

bool TakesEventType(const WebhookEndpoint& endpoint, std::string_view type) {
  return endpoint.event_types.empty() ||
         std::ranges::find(endpoint.event_types, type) != endpoint.event_types.end();
}

std::string WebhookIdOf(std::string_view event_id, std::string_view endpoint_id) {
  return "msg_" + std::string(event_id.substr(std::min<std::size_t>(4, event_id.size()))) +
         std::string(endpoint_id.substr(std::min<std::size_t>(4, endpoint_id.size())));
}

std::string_view DeliveryStatusAfter(const DeliveryAttempt& attempt) {
  if (attempt.delivered) return "delivered";
  return attempt.next_attempt_at ? "pending" : "failed";
}

}  // namespace recur
