// WebhookIdOf (webhook_delivery_store.h) as SQL that SQLite and PostgreSQL both run, for the
// statements that make webhook deliveries (the outbox fan-out, recovery and resending), so that
// each backend's deliveries carry the webhook-id the contract gives them. Pure.
#pragma once

#include <string>
#include <string_view>

namespace recur {

// WebhookIdOf the SQL expressions `event_id` and `endpoint_id`.
inline std::string WebhookIdSql(std::string_view event_id, std::string_view endpoint_id) {
  return "'msg_' || substr(" + std::string(event_id) + ", 5) || substr(" +
         std::string(endpoint_id) + ", 5)";
}

}  // namespace recur
