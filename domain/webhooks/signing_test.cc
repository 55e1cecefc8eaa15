// Standard Webhooks v1 signing against the vectors published by the Standard Webhooks and Svix
// reference libraries: reproducing them byte for byte is what makes our deliveries verifiable
// by every Standard Webhooks / Svix / Clerk receiver.
#include "domain/webhooks/signing.h"

#include <gmock/gmock.h>

#include <vector>

namespace recur::signing_test {
namespace {

// The vector every reference library tests (python, javascript, go, ruby, php, c#).
constexpr std::string_view kSecret1 = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
constexpr std::string_view kMsgId1 = "msg_p5jXN8AQM9LWM0D4loKWxJek";
constexpr std::int64_t kTimestamp1 = 1614265330;
constexpr std::string_view kBody1 = R"({"test": 2432232314})";  // a space after the colon
constexpr std::string_view kSignature1 = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

// The Svix rust library's vector.
constexpr std::string_view kSecret2 = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD";
constexpr std::string_view kMsgId2 = "msg_27UH4WbU6Z5A5EzD8u03UvzRbpk";
constexpr std::int64_t kTimestamp2 = 1649367553;
constexpr std::string_view kBody2 = R"({"email":"test@example.com","username":"test_user"})";
constexpr std::string_view kSignature2 = "v1,tZ1I4/hDygAJgO5TYxiSd6Sd0kDW6hPenDe+bTa3Kkw=";

WebhookSecret Secret(std::string_view text) {
  auto secret = DecodeWebhookSecret(text);
  EXPECT_TRUE(secret.has_value()) << text;
  return secret.value_or(WebhookSecret{});
}

std::string Hex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string hex;
  for (unsigned char b : bytes) {
    hex.push_back(kDigits[b >> 4]);
    hex.push_back(kDigits[b & 0xf]);
  }
  return hex;
}

Status Verify1(std::string_view signature_header, std::int64_t now = kTimestamp1,
               std::string_view body = kBody1) {
  return VerifyWebhook(Secret(kSecret1), kMsgId1, std::to_string(kTimestamp1), signature_header,
                       body, now);
}

std::string ErrorCode(const Status& status) { return status ? "" : status.error().code; }

TEST(WebhookSecret, DecodesTheKeyBytes) {
  WebhookSecret secret = Secret(kSecret1);
  EXPECT_EQ(secret.key.size(), 24u);
  EXPECT_EQ(Hex(secret.key), "31f290f6bf06298aab4f08d43c3f082cf648a362da2da4b0");
}

TEST(WebhookSecret, AcceptsMissingPadding) {
  // 31 base64 characters: complete, it would end in one '='. Missing padding is accepted.
  WebhookSecret unpadded = Secret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaS");
  WebhookSecret padded = Secret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaS=");
  EXPECT_EQ(unpadded.key.size(), 23u);
  EXPECT_EQ(unpadded.key, padded.key);
  EXPECT_EQ(Hex(unpadded.key), Hex(Secret(kSecret1).key).substr(0, 46))
      << "the first 23 bytes of vector 1's key";
  // Signing with the 23-byte key (value computed independently with Python's hmac module).
  EXPECT_EQ(SignWebhook(unpadded, kMsgId1, kTimestamp1, kBody1),
            "v1,LVOXivKoo4FWasi/IaHvzhE/u+7/cu2AME+zS/nXqzk=");
  EXPECT_EQ(Secret("whsec_YQ").key, "a");
  EXPECT_EQ(Secret("whsec_YQ==").key, "a");
  EXPECT_EQ(Secret("whsec_YWI").key, "ab");
}

TEST(WebhookSecret, RejectsEmptyAndMalformedSecrets) {
  for (std::string_view text :
       {"", "whsec_", "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "whsec_not base64!", "whsec_Y",
        "whsec_YQ=", "whsec_YQ===", "whsec_YW=I", "whsec_====", "whsec_ YWJj", "whsec_YWJj\n",
        "whsec_YWJj-_"}) {
    auto secret = DecodeWebhookSecret(text);
    ASSERT_FALSE(secret.has_value()) << '"' << text << '"';
    EXPECT_EQ(secret.error().code, "invalid_webhook_secret");
    EXPECT_EQ(secret.error().kind, ErrorKind::kInvalidArgument);
  }
}

TEST(WebhookSecret, NewSecretsHold32RandomBytes) {
  const std::string first = NewWebhookSecretText();
  const std::string second = NewWebhookSecretText();
  EXPECT_TRUE(first.starts_with("whsec_")) << first;
  EXPECT_EQ(Secret(first).key.size(), 32u);
  EXPECT_EQ(Secret(second).key.size(), 32u);
  EXPECT_NE(first, second);
}

TEST(SignWebhook, ReproducesTheStandardWebhooksVector) {
  EXPECT_EQ(SignWebhook(Secret(kSecret1), kMsgId1, kTimestamp1, kBody1), kSignature1);
}

TEST(SignWebhook, ReproducesTheSvixRustVector) {
  EXPECT_EQ(SignWebhook(Secret(kSecret2), kMsgId2, kTimestamp2, kBody2), kSignature2);
}

TEST(SignWebhook, ReproducesTheLargePayloadVectors) {
  const struct {
    std::size_t size;
    std::string_view signature;
  } kCases[] = {
      {1048576, "v1,txpEUxqWZJ5nteTnymUVa+7C4NHpBeXJ6CsBAW0c3/A="},
      {262144, "v1,Mw4Pe2WgApuT7NSqnSq0PQPV9gbLdggCl9B865x5Xh0="},
      {262143, "v1,NTItnqyWMoFhk2Bbe5V/BMdcFRWgcSQaTgqLHX7FC7c="},
  };
  for (const auto& c : kCases) {
    const std::string body(c.size, 'a');
    EXPECT_EQ(SignWebhook(Secret(kSecret1), kMsgId1, kTimestamp1, body), c.signature) << c.size;
    EXPECT_TRUE(VerifyWebhook(Secret(kSecret1), kMsgId1, std::to_string(kTimestamp1), c.signature,
                              body, kTimestamp1))
        << c.size;
  }
}

TEST(SignWebhook, SignsBodiesBinarySafe) {
  const std::string body("a\0b\n\xff", 5);
  const std::string signature = SignWebhook(Secret(kSecret1), kMsgId1, kTimestamp1, body);
  EXPECT_NE(signature, SignWebhook(Secret(kSecret1), kMsgId1, kTimestamp1, "a"));
  EXPECT_TRUE(VerifyWebhook(Secret(kSecret1), kMsgId1, std::to_string(kTimestamp1), signature, body,
                            kTimestamp1));
}

TEST(WebhookSignatureHeader, JoinsOneSignaturePerSecretForRotation) {
  const std::vector<WebhookSecret> secrets = {Secret(kSecret1), Secret(kSecret2)};
  const std::string header = WebhookSignatureHeader(secrets, kMsgId1, kTimestamp1, kBody1);
  EXPECT_EQ(header,
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE= "
            "v1,78nXHjpFP0tVJQW5D0SBwmVyyW87BV/rL6MgfM/Bw44=");
  // A receiver holding either secret accepts the message.
  for (const WebhookSecret& secret : secrets) {
    EXPECT_TRUE(
        VerifyWebhook(secret, kMsgId1, std::to_string(kTimestamp1), header, kBody1, kTimestamp1));
  }
  EXPECT_EQ(WebhookSignatureHeader(std::span(secrets).first(1), kMsgId1, kTimestamp1, kBody1),
            kSignature1);
  EXPECT_EQ(WebhookSignatureHeader({}, kMsgId1, kTimestamp1, kBody1), "");
}

TEST(VerifyWebhook, AcceptsTheVectors) {
  EXPECT_TRUE(Verify1(kSignature1));
  EXPECT_TRUE(VerifyWebhook(Secret(kSecret2), kMsgId2, std::to_string(kTimestamp2), kSignature2,
                            kBody2, kTimestamp2));
}

TEST(VerifyWebhook, AcceptsAHeaderWithOneValidEntryAmongSeveral) {
  EXPECT_TRUE(
      Verify1("v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc= "
              "v2,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc= "
              "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="));
}

TEST(VerifyWebhook, RejectsWrongSignatures) {
  for (std::string_view header : {
           "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OA=",  // last character changed
           "v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc=",
           "v1,",
           "",
           " ",
           "v1",
           "g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",     // no version
           "v2,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",  // not v1
           "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE",   // truncated
           "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=x",
       }) {
    Status status = Verify1(header);
    EXPECT_EQ(ErrorCode(status), "invalid_signature") << '"' << header << '"';
    if (!status) {
      EXPECT_EQ(status.error().kind, ErrorKind::kUnauthenticated);
    }
  }
}

TEST(VerifyWebhook, RejectsATamperedMessage) {
  EXPECT_EQ(ErrorCode(Verify1(kSignature1, kTimestamp1, R"({"test": 2432232315})")),
            "invalid_signature");
  EXPECT_EQ(ErrorCode(VerifyWebhook(Secret(kSecret1), "msg_other", std::to_string(kTimestamp1),
                                    kSignature1, kBody1, kTimestamp1)),
            "invalid_signature");
  EXPECT_EQ(ErrorCode(VerifyWebhook(Secret(kSecret2), kMsgId1, std::to_string(kTimestamp1),
                                    kSignature1, kBody1, kTimestamp1)),
            "invalid_signature");
}

TEST(VerifyWebhook, AcceptsFiveMinutesOfSkewEitherWay) {
  EXPECT_TRUE(Verify1(kSignature1, kTimestamp1 + 300));
  EXPECT_TRUE(Verify1(kSignature1, kTimestamp1 - 300));
}

TEST(VerifyWebhook, RejectsATimestamp301SecondsOff) {
  // The message is 301 s in the past, then 301 s in the future, of the receiver's clock.
  for (std::int64_t now : {kTimestamp1 + 301, kTimestamp1 - 301}) {
    Status status = Verify1(kSignature1, now);
    EXPECT_EQ(ErrorCode(status), "timestamp_out_of_tolerance") << now;
    if (!status) {
      EXPECT_EQ(status.error().kind, ErrorKind::kUnauthenticated);
    }
  }
}

TEST(VerifyWebhook, HonoursACustomTolerance) {
  const WebhookSecret secret = Secret(kSecret1);
  const std::string timestamp = std::to_string(kTimestamp1);
  EXPECT_TRUE(VerifyWebhook(secret, kMsgId1, timestamp, kSignature1, kBody1, kTimestamp1 + 10,
                            std::chrono::seconds(10)));
  EXPECT_EQ(ErrorCode(VerifyWebhook(secret, kMsgId1, timestamp, kSignature1, kBody1,
                                    kTimestamp1 + 11, std::chrono::seconds(10))),
            "timestamp_out_of_tolerance");
}

TEST(VerifyWebhook, RejectsTimestampsThatAreNotWholeSeconds) {
  const WebhookSecret secret = Secret(kSecret1);
  for (std::string_view timestamp :
       {"", "abc", "1614265330.0", " 1614265330", "1614265330 ", "-1614265330", "+1614265330",
        "0x60377b72", "99999999999999999999999"}) {
    EXPECT_EQ(
        ErrorCode(VerifyWebhook(secret, kMsgId1, timestamp, kSignature1, kBody1, kTimestamp1)),
        "invalid_signature")
        << '"' << timestamp << '"';
  }
  // Far-away timestamps are out of tolerance, without overflowing.
  EXPECT_EQ(ErrorCode(VerifyWebhook(secret, kMsgId1, "9223372036854775807", kSignature1, kBody1,
                                    -9223372036854775807 - 1)),
            "timestamp_out_of_tolerance");
  EXPECT_EQ(
      ErrorCode(VerifyWebhook(secret, kMsgId1, "0", kSignature1, kBody1, 9223372036854775807)),
      "timestamp_out_of_tolerance");
}

}  // namespace
}  // namespace recur::signing_test
