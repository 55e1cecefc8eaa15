// Where webhook deliveries and their attempts are kept (services/webhooks/dispatcher.h sends them).
// A store may be shared by several nodes (PostgreSQL), each with its own dispatcher: deliveries
// are then leased, so that each attempt is made by one node (DueDeliveries), and an attempt whose
// lease another node took over meanwhile is kept in the log without undoing what the newer
// holder records (RecordDeliveryAttempts). A store one node serves (SQLite, one process per
// database file) keeps this trivially: there is no other node to hand a delivery to.
// Thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "base/error.h"
#include "store/webhook_endpoint_store.h"

namespace recur {

// The webhook-id of the delivery of event `event_id` to endpoint `endpoint_id`: "msg_", then
// each id without its four-character prefix ("evt_", "wep_"). The same on every attempt and
// every resend, so that receivers can tell a retry from a new event.
std::string WebhookIdOf(std::string_view event_id, std::string_view endpoint_id);

// A delivery due now, with what sending it needs.
struct DueDelivery {
  std::int64_t id = 0;
  std::string msg_id;
  std::string event_type;
  std::string body;     // the event envelope exactly as stored
  int attempts = 0;     // made so far
  int round_start = 0;  // attempts made before the current round of retries
  WebhookEndpoint endpoint;
  std::int64_t lease = 0;  // the fencing token of the calling node's lease; its attempt carries it
};

// What a node asks of the deliveries it is handed (DueDeliveries).
struct DeliveryLease {
  // At most this many deliveries of one endpoint are leased at once, across the nodes sharing
  // the store (the dispatcher's in-flight limit); 0: no bound.
  int per_endpoint = 0;
  // How long a delivery stays the calling node's without being recorded: longer than an attempt
  // takes (connecting, sending, the answer) and than the wait for its record.
  std::chrono::milliseconds duration{60'000};
};

// Only a 2xx answer delivers.
inline bool Delivers(std::optional<int> http_status) {
  return http_status && *http_status >= 200 && *http_status < 300;
}

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
  std::int64_t lease = 0;                  // the lease it was made under (DueDelivery::lease)
  // Filled when read back: made under a lease another node took over before it was recorded,
  // so it is in the log but moved neither its delivery nor its endpoint's failing_since.
  bool superseded = false;
};

// The status a delivery has after `attempt`, as the stores keep it: "delivered", "pending" (a
// next attempt is set) or "failed" (given up).
std::string_view DeliveryStatusAfter(const DeliveryAttempt& attempt);

class WebhookDeliveryStore {
 public:
  virtual ~WebhookDeliveryStore() = default;
  // Pending deliveries due at `now` to enabled endpoints other than `skipped`, at most `limit`,
  // oldest first, each leased to the calling node for `lease.duration` (timed by the store's
  // own clock, never by `now`, which is the domain's). A delivery leased to another node is not
  // handed out until that node records its attempt or its lease lapses (or at once when the
  // node died, on a backend that can tell: PostgreSQL); one the calling node
  // holds already is handed again, its lease renewed under the same token. At most
  // `lease.per_endpoint` deliveries of an endpoint are leased at once across the nodes: those
  // the calling node holds come first, and what another node holds leaves less room.
  virtual Result<std::vector<DueDelivery>> DueDeliveries(Instant now, int limit,
                                                         const std::vector<std::string>& skipped,
                                                         const DeliveryLease& lease) = 0;
  // Records the attempts, in order and in one transaction: each moves its delivery on
  // (delivered, next attempt, or failed), ends its lease, and keeps its endpoint's failing_since
  // (cleared by a success, set by the first failure after one). Returns, for each attempt, its
  // endpoint's failing_since after it.
  // An attempt whose lease another node took over before it came (a node paused past its lease)
  // was made all the same: it is kept in the log, marked superseded, and changes nothing else,
  // so it cannot undo what the newer holder recorded; its failing_since comes back as none.
  virtual Result<std::vector<std::optional<Instant>>> RecordDeliveryAttempts(
      const std::vector<DeliveryAttempt>& attempts) = 0;
  // Gives back the leases of deliveries the calling node was handed and will not attempt (its
  // dispatcher is stopping), so that another node may take them at once instead of when their
  // leases lapse. A delivery the calling node no longer holds, under the lease it was handed
  // with, is left alone.
  virtual Status ReleaseDeliveries(const std::vector<DueDelivery>& deliveries) = 0;
  // Queues again, for a new round of retries starting at once, every event with a timestamp at
  // or after `since` that the endpoint's filter takes and that it has not received: failed
  // deliveries, pending ones (brought forward) and events it never had a delivery for (made
  // while it was disabled). Returns how many deliveries were queued. Where deliveries are leased
  // (several nodes), a delivery queued again is held by no node and its lease moves on, so an
  // attempt made under the lease before (in flight meanwhile) is recorded as superseded; the
  // same for ResendEvent.
  virtual Result<int> RecoverDeliveries(const std::string& endpoint_id, Instant since) = 0;
  // Queues one event again for the endpoint, for a new round starting at once, even if it was
  // delivered. Fails with event_not_found, or event_type_not_taken when the endpoint's filter
  // does not take its type. Returns the delivery's webhook-id.
  virtual Result<std::string> ResendEvent(const std::string& endpoint_id,
                                          const std::string& event_id) = 0;
  // The attempt log of an endpoint, newest first.
  virtual Result<std::vector<DeliveryAttempt>> ListDeliveryAttempts(const std::string& endpoint_id,
                                                                    int limit) = 0;
};

}  // namespace recur
