// The fan-out rule of the webhook outbox (TakesEventType, webhook_endpoint_store.h) as
// PostgreSQL's SQL, shared by the statements that make webhook deliveries (the outbox fan-out,
// recovery and resending), so that all of them agree with the contract on which endpoint takes
// which event. The webhook-id is store/webhook_id_sql.h, which every backend shares. Pure.
#pragma once

#include <string>
#include <string_view>

namespace recur {

// TakesEventType for the endpoint row aliased `e` (event_types a jsonb array) and the SQL text
// expression `type`.
inline std::string PgEndpointTakesTypeSql(std::string_view type) {
  return "(jsonb_array_length(e.event_types) = 0 OR e.event_types ? " + std::string(type) + ")";
}

}  // namespace recur
