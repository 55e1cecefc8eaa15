#include "gateways/stripe/stripe_signature.h"

#include <gtest/gtest.h>

namespace recur::stripe_signature_test {
namespace {

constexpr std::string_view kSecret = "whsec_test_secret";
constexpr std::string_view kBody = R"({"id":"evt_1","type":"payment_intent.succeeded"})";
constexpr std::int64_t kNow = 1767225600;
constexpr std::string_view kExpectedSignature =
    "0739de02968cd6964663b290409abfa00a8c327e21a27dc8b631b96d278d877d";

TEST(StripeSignatureTest, MatchesAnHmacComputedIndependently) {
  // printf '%s' '1767225600.{"id":"evt_1","type":"payment_intent.succeeded"}' |
  //   openssl dgst -sha256 -hmac whsec_test_secret
  EXPECT_EQ(StripeSignature(kSecret, kNow, kBody), kExpectedSignature);
}

TEST(StripeSignatureTest, AcceptsItsOwnHeaderAndAnyMatchingV1) {
  EXPECT_TRUE(
      VerifyStripeSignature(kSecret, StripeSignatureHeader(kSecret, kNow, kBody), kBody, kNow));
  const std::string rolled = "t=" + std::to_string(kNow) + ",v1=" + std::string(64, '0') +
                             ",v1=" + StripeSignature(kSecret, kNow, kBody) + ",v0=abc";
  EXPECT_TRUE(VerifyStripeSignature(kSecret, rolled, kBody, kNow + 300));
}

TEST(StripeSignatureTest, RefusesAForgedBodyAnotherSecretAndAStaleOrMalformedHeader) {
  const std::string header = StripeSignatureHeader(kSecret, kNow, kBody);
  auto forged = VerifyStripeSignature(kSecret, header, std::string(kBody) + " ", kNow);
  ASSERT_FALSE(forged);
  EXPECT_EQ(forged.error().kind, ErrorKind::kUnauthenticated);
  EXPECT_EQ(forged.error().code, "invalid_signature");
  EXPECT_FALSE(VerifyStripeSignature("whsec_other", header, kBody, kNow));
  auto stale = VerifyStripeSignature(kSecret, header, kBody, kNow + 301);
  ASSERT_FALSE(stale);
  EXPECT_EQ(stale.error().code, "timestamp_out_of_tolerance");
  EXPECT_FALSE(VerifyStripeSignature(kSecret, header, kBody, kNow - 301));
  for (const char* malformed : {"", "v1=abc", "t=12x,v1=abc", "t=1767225600"}) {
    auto refused = VerifyStripeSignature(kSecret, malformed, kBody, kNow);
    ASSERT_FALSE(refused) << malformed;
    EXPECT_EQ(refused.error().code, "invalid_signature") << malformed;
  }
}

}  // namespace
}  // namespace recur::stripe_signature_test
