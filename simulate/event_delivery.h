// `recur simulate --deliver URL --secret whsec_...`: sends events to a handler under
// development one at a time, in order, signed exactly as `recur serve` signs them
// (domain/webhooks/delivery_request.h), and reports each answer. The webhook-id is "msg_" + the
// event id's random part; the webhook-timestamp is the real time of the attempt, as receivers
// compare it with their own clock. Each event is sent once: no retries, so the timeline shows what
// the handler answered. The URL is the developer's own, so it is not held to the SSRF policy of
// `recur serve` (loopback is the usual case). Not thread-safe; one caller.
#pragma once

#include <memory>
#include <string>

#include "base/clock.h"
#include "base/error.h"
#include "domain/webhooks/signing.h"
#include "domain/webhooks/url_policy.h"
#include "services/webhooks/connection_pool.h"
#include "simulate/timeline.h"

namespace recur {

class EventDelivery {
 public:
  // Checks the URL (http or https) and the secret ("whsec_" + base64).
  static Result<EventDelivery> Make(std::string_view url, std::string_view secret,
                                    const Clock& clock);

  DeliveryReport Deliver(const std::string& event_id, const std::string& body);

 private:
  EventDelivery(WebhookUrl url, WebhookSecret secret, const Clock& clock);

  WebhookUrl url_;
  WebhookSecret secret_;
  const Clock* clock_;
  std::unique_ptr<ConnectionPool> connections_;
};

}  // namespace recur
