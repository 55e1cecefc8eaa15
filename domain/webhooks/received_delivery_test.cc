#include "domain/webhooks/received_delivery.h"

#include <gtest/gtest.h>

#include <map>

#include <nlohmann/json.hpp>

namespace recur::received_delivery_test {
namespace {

// The reference vector of the Standard Webhooks libraries (signing_test.cc has them all).
constexpr std::string_view kSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
constexpr std::string_view kMsgId = "msg_p5jXN8AQM9LWM0D4loKWxJek";
constexpr std::int64_t kTimestamp = 1614265330;
constexpr std::string_view kBody = R"({"test": 2432232314})";
constexpr std::string_view kSignature = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";
constexpr std::chrono::seconds kTolerance{300};

HeaderLookup Headers(std::map<std::string, std::string, std::less<>> headers) {
  return [headers = std::move(headers)](std::string_view name) -> std::optional<std::string> {
    auto found = headers.find(name);
    if (found == headers.end()) return std::nullopt;
    return found->second;
  };
}

WebhookSecret Secret() { return DecodeWebhookSecret(kSecret).value(); }

TEST(ReceivedDelivery, StandardWebhooksHeadersVerify) {
  const DeliveryHeaders headers =
      ReadDeliveryHeaders(Headers({{"webhook-id", std::string(kMsgId)},
                                   {"webhook-timestamp", std::to_string(kTimestamp)},
                                   {"webhook-signature", std::string(kSignature)}}));
  EXPECT_TRUE(VerifyDelivery(Secret(), headers, kBody, kTimestamp, kTolerance));
}

TEST(ReceivedDelivery, SvixHeadersAreReadWhenTheStandardOnesAreAbsent) {
  const DeliveryHeaders headers =
      ReadDeliveryHeaders(Headers({{"svix-id", std::string(kMsgId)},
                                   {"svix-timestamp", std::to_string(kTimestamp)},
                                   {"svix-signature", std::string(kSignature)}}));
  EXPECT_EQ(headers.id, kMsgId);
  EXPECT_TRUE(VerifyDelivery(Secret(), headers, kBody, kTimestamp, kTolerance));
}

TEST(ReceivedDelivery, TheStandardHeaderWinsOverTheSvixOne) {
  const DeliveryHeaders headers =
      ReadDeliveryHeaders(Headers({{"webhook-id", "standard"}, {"svix-id", "svix"}}));
  EXPECT_EQ(headers.id, "standard");
}

TEST(ReceivedDelivery, AMissingHeaderIsNamed) {
  const DeliveryHeaders headers = ReadDeliveryHeaders(Headers(
      {{"webhook-id", std::string(kMsgId)}, {"webhook-signature", std::string(kSignature)}}));
  auto verified = VerifyDelivery(Secret(), headers, kBody, kTimestamp, kTolerance);
  ASSERT_FALSE(verified);
  EXPECT_EQ(verified.error().code, "missing_header");
  EXPECT_EQ(verified.error().param, "webhook-timestamp");
}

TEST(ReceivedDelivery, AnAlteredBodyIsRefused) {
  const DeliveryHeaders headers =
      ReadDeliveryHeaders(Headers({{"webhook-id", std::string(kMsgId)},
                                   {"webhook-timestamp", std::to_string(kTimestamp)},
                                   {"webhook-signature", std::string(kSignature)}}));
  auto verified = VerifyDelivery(Secret(), headers, R"({"test": 1})", kTimestamp, kTolerance);
  ASSERT_FALSE(verified);
  EXPECT_EQ(verified.error().code, "invalid_signature");
}

TEST(ReceivedDelivery, TheRefusalIsTheErrorAsJson) {
  EXPECT_EQ(DeliveryRefusalJson({ErrorKind::kUnauthenticated, "missing_header",
                                 "the webhook-id header is missing", "webhook-id"}),
            R"({"error":{"code":"missing_header","message":"the webhook-id header is missing",)"
            R"("param":"webhook-id"}})");
}

TEST(ReceivedDelivery, ARefusalQuotingBytesThatAreNotUtf8IsStillJson) {
  const DeliveryHeaders headers =
      ReadDeliveryHeaders(Headers({{"webhook-id", std::string(kMsgId)},
                                   {"webhook-timestamp",
                                    "08071\xb6"
                                    "32665"},
                                   {"webhook-signature", std::string(kSignature)}}));
  auto verified = VerifyDelivery(Secret(), headers, kBody, kTimestamp, kTolerance);
  ASSERT_FALSE(verified);
  const std::string refusal = DeliveryRefusalJson(verified.error());
  const nlohmann::json parsed = nlohmann::json::parse(refusal, nullptr, false);
  ASSERT_FALSE(parsed.is_discarded()) << refusal;
  EXPECT_EQ(parsed["error"]["message"],
            "webhook-timestamp must be whole Unix seconds, got \"08071\ufffd32665\"");
}

TEST(ReceivedDelivery, TheEventTypeIsOnePrintableWord) {
  EXPECT_EQ(DeliveryEventType(R"({"type": "subscription.created"})"), "subscription.created");
  EXPECT_EQ(DeliveryEventType(R"({"type": "a b\n"})"), "a?b?");
  EXPECT_EQ(DeliveryEventType(R"({"type": 3})"), "-");
  EXPECT_EQ(DeliveryEventType("not json"), "-");
  EXPECT_EQ(DeliveryEventType(R"({"type": ""})"), "-");
}

}  // namespace
}  // namespace recur::received_delivery_test
