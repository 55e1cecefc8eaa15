#include "gateways/stripe/stripe_signature.h"

#include <charconv>
#include <vector>

#include "base/sha256.h"
#include "domain/webhooks/signing.h"

namespace recur {
namespace {

std::unexpected<Error> NotVerified(std::string code, std::string message) {
  return MakeError(ErrorKind::kUnauthenticated, std::move(code), std::move(message),
                   "Stripe-Signature");
}

}  // namespace

std::string StripeSignature(std::string_view secret, std::int64_t timestamp_seconds,
                            std::string_view body) {
  const std::string timestamp = std::to_string(timestamp_seconds);
  const std::string digest = HmacSha256(secret, {timestamp, ".", body});
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(digest.size() * 2);
  for (unsigned char byte : digest) {
    hex.push_back(kHex[byte >> 4]);
    hex.push_back(kHex[byte & 0x0f]);
  }
  return hex;
}

std::string StripeSignatureHeader(std::string_view secret, std::int64_t timestamp_seconds,
                                  std::string_view body) {
  return "t=" + std::to_string(timestamp_seconds) +
         ",v1=" + StripeSignature(secret, timestamp_seconds, body);
}

Status VerifyStripeSignature(std::string_view secret, std::string_view header,
                             std::string_view body, std::int64_t now_seconds,
                             std::chrono::seconds tolerance) {
  std::string_view timestamp;
  std::vector<std::string_view> signatures;
  while (!header.empty()) {
    const std::size_t comma = header.find(',');
    std::string_view item = header.substr(0, comma);
    header = comma == std::string_view::npos ? std::string_view() : header.substr(comma + 1);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    if (item.starts_with("t=")) timestamp = item.substr(2);
    if (item.starts_with("v1=")) signatures.push_back(item.substr(3));
  }
  std::int64_t seconds = 0;
  const auto [end, problem] =
      std::from_chars(timestamp.data(), timestamp.data() + timestamp.size(), seconds);
  if (timestamp.empty() || problem != std::errc() || end != timestamp.data() + timestamp.size()) {
    return NotVerified("invalid_signature",
                       "the Stripe-Signature header has no timestamp (t=<Unix seconds>)");
  }
  if (signatures.empty()) {
    return NotVerified("invalid_signature", "the Stripe-Signature header has no v1 signature");
  }
  const std::int64_t skew = now_seconds > seconds ? now_seconds - seconds : seconds - now_seconds;
  if (skew > tolerance.count()) {
    return NotVerified("timestamp_out_of_tolerance",
                       "the Stripe-Signature timestamp " + std::to_string(seconds) + " is " +
                           std::to_string(skew) + " s from now, more than the tolerance of " +
                           std::to_string(tolerance.count()) + " s");
  }
  const std::string expected = StripeSignature(secret, seconds, body);
  for (std::string_view signature : signatures) {
    if (ConstantTimeEquals(signature, expected)) return Ok();
  }
  return NotVerified("invalid_signature",
                     "no v1 signature of the Stripe-Signature header matches the body signed "
                     "with RECUR_STRIPE_WEBHOOK_SECRET");
}

}  // namespace recur
