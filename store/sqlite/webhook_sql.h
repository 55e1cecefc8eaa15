// The fan-out rules of the webhook outbox (TakesEventType, WebhookIdOf in store/) as SQLite's
// SQL, shared by the statements that make webhook deliveries (the outbox fan-out, recovery and
// resending), so that all of them agree with the contract on which endpoint takes which event
// and on the webhook-id of a delivery (store/webhook_id_sql.h, which every backend shares).
#pragma once

#include <string>
#include <string_view>

#include "store/webhook_id_sql.h"

namespace recur {

// TakesEventType for the endpoint row aliased `e` and the SQL expression `type`.
inline std::string EndpointTakesTypeSql(std::string_view type) {
  return "(json_array_length(e.event_types) = 0 OR EXISTS (SELECT 1 FROM json_each("
         "e.event_types) WHERE value = " +
         std::string(type) + "))";
}

}  // namespace recur
