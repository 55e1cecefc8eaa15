// The HTTP request of one webhook delivery, built the same way by every sender in recur (the
// dispatcher of `recur serve`, and `recur simulate --deliver`): a POST of the exact event body
// with the Standard Webhooks headers webhook-id, webhook-timestamp (the attempt's real time, in
// seconds) and webhook-signature (one v1 signature per secret), the same three values again
// under svix-id, svix-timestamp and svix-signature, so that Standard Webhooks, Svix and Clerk
// verifiers all accept it. Its Host header is the URL's host (and port when not the scheme's),
// whichever address the sender connects to. Pure.
#pragma once

#include <httplib.h>

#include <span>
#include <string>
#include <string_view>

#include "base/clock.h"
#include "domain/webhooks/signing.h"
#include "domain/webhooks/url_policy.h"

namespace recur {

httplib::Request DeliveryRequest(const WebhookUrl& url, std::string_view msg_id,
                                 Instant attempted_at, std::span<const WebhookSecret> secrets,
                                 std::string body);

}  // namespace recur
