// SQL shared by the statements that make webhook deliveries (the outbox fan-out, recovery and
// resending), so that all of them agree on which endpoint takes which event and on the
// webhook-id of a delivery.
#pragma once

#include <string>
#include <string_view>

namespace recur {

// Whether the endpoint row aliased `e` takes events of the SQL expression `type`: an empty
// filter takes every type.
inline std::string EndpointTakesType(std::string_view type) {
  return "(json_array_length(e.event_types) = 0 OR EXISTS (SELECT 1 FROM json_each("
         "e.event_types) WHERE value = " +
         std::string(type) + "))";
}

// The webhook-id of the delivery of event `event_id` to endpoint `endpoint_id` (SQL
// expressions): derived from both, so it is the same on every attempt and every resend.
inline std::string WebhookIdOf(std::string_view event_id, std::string_view endpoint_id) {
  return "'msg_' || substr(" + std::string(event_id) + ", 5) || substr(" +
         std::string(endpoint_id) + ", 5)";
}

}  // namespace recur
