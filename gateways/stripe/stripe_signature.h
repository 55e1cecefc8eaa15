// Stripe's webhook signatures (the Stripe-Signature header), as Stripe documents them:
// "t=<Unix seconds>,v1=<hex>[,v1=<hex>...][,v0=...]", where each v1 is the lower-case hex of
// HMAC-SHA256(the endpoint's signing secret "whsec_..." as it is written, t + "." + the exact
// body). While a secret is rolled, Stripe signs with each and sends a v1 per secret; other
// schemes (v0) are ignored. Pure: the time comes in as an argument.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/error.h"

namespace recur {

// The v1 signature of `body` at `timestamp_seconds`: lower-case hex.
std::string StripeSignature(std::string_view secret, std::int64_t timestamp_seconds,
                            std::string_view body);

// The header Stripe sends: "t=<timestamp>,v1=<signature>".
std::string StripeSignatureHeader(std::string_view secret, std::int64_t timestamp_seconds,
                                  std::string_view body);

// Verifies a delivery. Error{kUnauthenticated}: "invalid_signature" when the header has no
// t= or no v1= or no v1 matches (compared in constant time); "timestamp_out_of_tolerance" when
// t is more than `tolerance` from `now_seconds` on either side (a replay of an old delivery).
Status VerifyStripeSignature(std::string_view secret, std::string_view header,
                             std::string_view body, std::int64_t now_seconds,
                             std::chrono::seconds tolerance = std::chrono::minutes(5));

}  // namespace recur
