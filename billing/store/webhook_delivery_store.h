// Where webhook deliveries and their attempts are kept (webhooks/dispatcher.h sends them).
// Thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/error.h"
#include "billing/store/webhook_endpoint_store.h"

namespace recur {

// A delivery due now, with what sending it needs.
struct DueDelivery {
  std::int64_t id = 0;
  std::string msg_id;
  std::string event_type;
  std::string body;  // the event envelope exactly as stored
  int attempts = 0;  // made so far
  WebhookEndpoint endpoint;
};

struct DeliveryAttempt {
  std::int64_t delivery_id = 0;
  std::string msg_id;      // filled when read back
  std::string event_id;    // filled when read back
  std::string event_type;  // filled when read back
  std::string endpoint_id;
  int attempt = 1;
  Instant attempted_at;
  std::optional<int> http_status;
  std::string error;
  std::int64_t latency_ms = 0;
  std::string response_body;
  bool delivered = false;
  std::optional<Instant> next_attempt_at;  // none and not delivered: given up
  bool disable_endpoint = false;           // 410 Gone
  std::string disable_reason;
};

class WebhookDeliveryStore {
 public:
  virtual ~WebhookDeliveryStore() = default;
  // Pending deliveries due at `now` to enabled endpoints, oldest first.
  virtual Result<std::vector<DueDelivery>> DueDeliveries(Instant now, int limit) = 0;
  // Records the attempt and moves the delivery on (delivered, next attempt, or failed), and
  // disables the endpoint when asked, in one transaction.
  virtual Status RecordDeliveryAttempt(const DeliveryAttempt& attempt) = 0;
  // The attempt log of an endpoint, newest first.
  virtual Result<std::vector<DeliveryAttempt>> ListDeliveryAttempts(const std::string& endpoint_id,
                                                                    int limit) = 0;
};

}  // namespace recur
