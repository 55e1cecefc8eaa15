// Standard Webhooks v1 signatures (https://www.standardwebhooks.com), the scheme of Svix and so
// of Clerk: any receiver built on a Standard Webhooks or Svix library verifies what this signs.
//
// The contract, byte for byte:
// - A secret is written "whsec_" + base64 (standard alphabet) of the raw key bytes. The '='
//   padding may be left off, as the reference libraries accept; if present it must be complete.
// - The signed content is msg_id + "." + decimal timestamp (Unix seconds) + "." + the exact
//   body bytes; the signature is "v1," + base64(HMAC-SHA256(key, content)), padded.
// - During key rotation a message carries one signature per secret, joined by a single space.
// - A receiver accepts a message when its timestamp lies within the tolerance (5 minutes by
//   default) of its own clock on either side and at least one "v1," entry of the header equals
//   the expected signature (compared in constant time); other versions are ignored.
//
// Everything here is pure: time comes in as an argument, nothing reads the clock.
#pragma once

#include <chrono>
#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>

#include "base/error.h"

namespace recur {

inline constexpr std::string_view kWebhookSecretPrefix = "whsec_";

struct WebhookSecret {
  std::string key;  // raw key bytes
};

// Decodes "whsec_" + base64. Fails with code "invalid_webhook_secret" (kInvalidArgument) when the
// text is empty, is only the prefix, lacks the prefix or is not base64. Keys of any non-zero
// length are accepted, so that published test vectors (24 and 23 byte keys) verify; secrets this
// project issues come from NewWebhookSecretText and hold 32 bytes.
Result<WebhookSecret> DecodeWebhookSecret(std::string_view text);

// HMAC-SHA256(key, the parts concatenated): the 32 raw bytes of the digest. Also what Stripe's
// webhook signatures are made of (gateways/stripe/stripe_signature.h).
std::string HmacSha256(std::string_view key, std::initializer_list<std::string_view> parts);

// A fresh secret: "whsec_" + base64 of 32 cryptographically random bytes.
std::string NewWebhookSecretText();

// The value of the webhook-signature header for one secret: "v1," + base64(HMAC-SHA256(key,
// msg_id + "." + timestamp_seconds + "." + body)).
std::string SignWebhook(const WebhookSecret& secret, std::string_view msg_id,
                        std::int64_t timestamp_seconds, std::string_view body);

// The webhook-signature header for several secrets (rotation): their signatures, in order,
// joined by one space. Empty for no secrets.
std::string WebhookSignatureHeader(std::span<const WebhookSecret> secrets, std::string_view msg_id,
                                   std::int64_t timestamp_seconds, std::string_view body);

// Verifies a delivery as the reference libraries do. `timestamp_header` must be a decimal
// integer of seconds (else code "invalid_signature") within `tolerance` of `now_seconds` on
// either side, bounds included (else code "timestamp_out_of_tolerance"); the signature header
// is a space-separated list of "version,signature" entries of which at least one "v1" entry
// must equal the signature of msg_id, the timestamp and body (else code "invalid_signature").
// Both errors are kUnauthenticated. The timestamp is checked first.
Status VerifyWebhook(const WebhookSecret& secret, std::string_view msg_id,
                     std::string_view timestamp_header, std::string_view signature_header,
                     std::string_view body, std::int64_t now_seconds,
                     std::chrono::seconds tolerance = std::chrono::minutes(5));

}  // namespace recur
