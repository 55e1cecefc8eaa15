// What a receiver of webhook deliveries checks (`recur webhooks listen`), kept apart from the
// HTTP server so that it can be tested and fuzzed on its own:
// - the three headers of a delivery, each under its Standard Webhooks name (webhook-id,
//   webhook-timestamp, webhook-signature) or else its Svix name (svix-id, ...);
// - the verdict: a missing header is code "missing_header" naming it; otherwise VerifyWebhook's
//   (signing.h). Every refusal is kUnauthenticated, and answered as JSON (DeliveryRefusalJson);
// - the event type a delivery's body names, for the receiver's printed line.
// Pure: the headers come through a lookup, the time as an argument. Nothing throws.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "base/error.h"
#include "domain/webhooks/signing.h"

namespace recur {

// The value of the request header `name` (matched as HTTP matches names: case-insensitively),
// none when the request has no such header.
using HeaderLookup = std::function<std::optional<std::string>(std::string_view name)>;

struct DeliveryHeaders {
  std::optional<std::string> id;
  std::optional<std::string> timestamp;
  std::optional<std::string> signature;
};

DeliveryHeaders ReadDeliveryHeaders(const HeaderLookup& header);

// Ok when every header is present and the signature is valid for `body` at `now_seconds`.
Status VerifyDelivery(const WebhookSecret& secret, const DeliveryHeaders& headers,
                      std::string_view body, std::int64_t now_seconds,
                      std::chrono::seconds tolerance);

// The body of a refused delivery's answer: {"error": {"code", "message"[, "param"]}}, valid
// JSON whatever bytes the message quotes (those that are not UTF-8 become U+FFFD).
std::string DeliveryRefusalJson(const Error& error);

// The "type" a JSON body names, as one printable word: "-" when the body is not a JSON object
// with a string "type" or the type is empty; spaces and control characters become '?'.
std::string DeliveryEventType(std::string_view body);

// `text` as one printable word: "-" when empty, spaces and control characters as '?'.
std::string PrintableWord(std::string_view text);

}  // namespace recur
