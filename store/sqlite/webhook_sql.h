// The fan-out rules of the webhook outbox (TakesEventType, WebhookIdOf in store/) as SQL, shared
// by the statements that make webhook deliveries (the outbox fan-out, recovery and resending),
// so that all of them agree with the contract on which endpoint takes which event and on the
// webhook-id of a delivery.
#pragma once

#include <string>
#include <string_view>

namespace recur {

// TakesEventType for the endpoint row aliased `e` and the SQL expression `type`.
inline std::string EndpointTakesTypeSql(std::string_view type) {
  return "(json_array_length(e.event_types) = 0 OR EXISTS (SELECT 1 FROM json_each("
         "e.event_types) WHERE value = " +
         std::string(type) + "))";
}

// WebhookIdOf the SQL expressions `event_id` and `endpoint_id`.
inline std::string WebhookIdSql(std::string_view event_id, std::string_view endpoint_id) {
  return "'msg_' || substr(" + std::string(event_id) + ", 5) || substr(" +
         std::string(endpoint_id) + ", 5)";
}

}  // namespace recur
