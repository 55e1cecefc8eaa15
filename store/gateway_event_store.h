// The messages a payment gateway sent on its own (webhooks) that were applied, by the gateway's
// id of the message (Stripe: evt_...), so that one delivered again is acknowledged and not
// applied twice. A message that changes something is recorded in the transaction of its first
// change (gateway_event_scope.h), so its effect and its record commit together; one that
// changes nothing is recorded on its own (RecordGatewayEvent). Ids are kept for good: Stripe
// redelivers for three days, and a row is a few bytes per event. Thread-safe.
#pragma once

#include <string>

#include "base/clock.h"
#include "base/error.h"

namespace recur {

class GatewayEventStore {
 public:
  virtual ~GatewayEventStore() = default;

  // Whether the message `id` was recorded as applied.
  virtual Result<bool> GatewayEventApplied(const std::string& id) = 0;
  // Records the message `id`, of `type`, as applied at `at`. Recording it again changes nothing.
  virtual Status RecordGatewayEvent(const std::string& id, const std::string& type, Instant at) = 0;
};

}  // namespace recur
